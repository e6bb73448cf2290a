export enum CommissionChangeKind {
    SCHEDULED = "SCHEDULED",
    CANCELLED = "CANCELLED",
    APPLIED = "APPLIED",
}

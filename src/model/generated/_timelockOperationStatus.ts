export enum TimelockOperationStatus {
    SCHEDULED = "SCHEDULED",
    EXECUTED = "EXECUTED",
    CANCELLED = "CANCELLED",
}

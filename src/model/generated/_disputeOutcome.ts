export enum DisputeOutcome {
    PENDING = "PENDING",
    UPHELD = "UPHELD",
    DISMISSED = "DISMISSED",
}

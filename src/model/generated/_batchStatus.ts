export enum BatchStatus {
    COMMITTED = "COMMITTED",
    DISPUTED = "DISPUTED",
    REJECTED = "REJECTED",
    FINALIZED = "FINALIZED",
}

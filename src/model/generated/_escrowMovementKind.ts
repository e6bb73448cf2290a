export enum EscrowMovementKind {
    DEPOSIT = "DEPOSIT",
    WITHDRAWAL = "WITHDRAWAL",
    LOCK = "LOCK",
    UNLOCK = "UNLOCK",
    CHARGE = "CHARGE",
}

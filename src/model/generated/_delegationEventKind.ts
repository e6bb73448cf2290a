export enum DelegationEventKind {
    DELEGATE = "DELEGATE",
    UNDELEGATE = "UNDELEGATE",
    REDELEGATE = "REDELEGATE",
    WITHDRAW = "WITHDRAW",
}

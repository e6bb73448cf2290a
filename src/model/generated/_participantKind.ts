export enum ParticipantKind {
    AI_PLATFORM = "AI_PLATFORM",
    PUBLISHER = "PUBLISHER",
    ADVERTISER = "ADVERTISER",
}

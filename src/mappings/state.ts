/**
 * In-memory working set of one handler call: entities are prefetched with one query per entity
 * class, mutated by the handlers in log order, and written back with one upsert/insert per class.
 */
import {
    Arbitrage,
    Batch,
    Block as BlockEntity,
    Claim,
    CommissionChange,
    Delegation,
    DelegationEvent,
    EpochSnapshot,
    EpochSummary,
    JailEvent,
    JitLiquidity,
    Liquidation,
    MevEvent,
    MinerPayment,
    NftTrade,
    Sandwich,
    SlashEvent,
    Swap,
    UnbondingRequest,
    Validator,
    ValidatorEpochStat,
    ValidatorScore,
    ContractState,
    ContractUpgrade,
    Dispute,
    EscrowAccount,
    EscrowMovement,
    ParameterChange,
    Participant,
    ParticipantDayStat,
    PauseChange,
    Payout,
    ProtocolEventRow,
    ProtocolParams,
    RoleAssignment,
    RoleChange,
    TimelockCall,
    TimelockOperation,
    Token,
    TokenDayStat,
    TokenHourStat,
} from '../model'
import type { EventMeta } from './decode'
import { EntityBuffer } from './entity-buffer'
import { RollupBuffer } from './rollup-buffer'

export const TOKEN_SNAPSHOT_FIELDS = ['escrowHeldEnd', 'escrowLockedEnd'] as const

/** Everything one handler call reads and writes. */
export class MappingState {
    /** blocks per epoch (EPOCH_BLOCKS): event rows carry their epoch */
    constructor(readonly epochBlocks = 32) {}

    /** PROTOCOL_EVENTS: push a ProtocolEvent row for every applied event that has no row of its own (escrow.ts hasMovement) */
    recordProtocolEvents = true

    readonly participants = new EntityBuffer(Participant)
    readonly tokens = new EntityBuffer(Token)
    /** token relation loaded: a version of an account is then complete, and history.ts writes it with COPY */
    readonly accounts = new EntityBuffer(EscrowAccount, { token: true })
    /** token relation loaded: handlers need a batch's token id */
    readonly batches = new EntityBuffer(Batch, { token: true })
    readonly disputes = new EntityBuffer(Dispute)
    readonly payouts = new EntityBuffer(Payout)
    readonly contractStates = new EntityBuffer(ContractState)
    readonly params = new EntityBuffer(ProtocolParams)
    readonly roleAssignments = new EntityBuffer(RoleAssignment)
    readonly timelockOps = new EntityBuffer(TimelockOperation)
    readonly timelockCalls = new EntityBuffer(TimelockCall)

    // insert-only (one row per log, or per batch+payee for claims)
    readonly movements: EscrowMovement[] = []
    readonly claims: Claim[] = []
    readonly roleChanges: RoleChange[] = []
    readonly pauseChanges: PauseChange[] = []
    readonly upgrades: ContractUpgrade[] = []
    readonly parameterChanges: ParameterChange[] = []
    /** the stored part of ProtocolEvent (src/model/protocol-event-row.ts): logs without a row of their own */
    readonly protocolEvents: ProtocolEventRow[] = []
    /** escrow movements that name a batch, linked once all events are applied */
    readonly movementBatches: { movement: EscrowMovement; batchId: string; meta: EventMeta; payer: string; token: string }[] = []

    readonly tokenDays = new RollupBuffer(TokenDayStat, TOKEN_SNAPSHOT_FIELDS)
    readonly tokenHours = new RollupBuffer(TokenHourStat, TOKEN_SNAPSHOT_FIELDS)
    readonly participantDays = new RollupBuffer(ParticipantDayStat)

    // ValidatorRegistry (validatorRegistry.ts)
    readonly validators = new EntityBuffer(Validator)
    readonly delegations = new EntityBuffer(Delegation, { validator: true })
    readonly unbondings = new EntityBuffer(UnbondingRequest)
    readonly delegationEvents: DelegationEvent[] = []
    readonly slashEvents: SlashEvent[] = []
    readonly jailEvents: JailEvent[] = []
    readonly commissionChanges: CommissionChange[] = []
    /** fee recipient → validator id, for the validators in `validators` (kept current by the handlers) */
    readonly validatorByFeeRecipient = new Map<string, string>()

    // blocks and MEV (blocks.ts, mev.ts)
    readonly blocks: BlockEntity[] = []
    readonly arbitrages: Arbitrage[] = []
    readonly swaps: Swap[] = []
    readonly sandwiches: Sandwich[] = []
    readonly liquidations: Liquidation[] = []
    readonly jitLiquidity: JitLiquidity[] = []
    readonly nftTrades: NftTrade[] = []
    readonly minerPayments: MinerPayment[] = []
    readonly mevEvents: MevEvent[] = []

    // epochs (epochs.ts)
    readonly epochSnapshots = new EntityBuffer(EpochSnapshot)
    readonly epochStats: ValidatorEpochStat[] = []
    readonly scores: ValidatorScore[] = []
    readonly epochSummaries: EpochSummary[] = []

    /** Problems worth a log line (unknown references etc.), in order. */
    readonly warnings: string[] = []

    /** Buffers in the order their rows must be written (foreign keys point backwards). */
    entityBuffersInWriteOrder(): EntityBuffer<any>[] {
        return [
            this.tokens,
            this.participants,
            this.contractStates,
            this.params,
            this.accounts,
            this.batches,
            this.disputes,
            this.payouts,
            this.roleAssignments,
            this.timelockOps,
            this.timelockCalls,
            this.validators,
            this.unbondings,
            this.delegations,
        ]
    }
}
/**
 * `npm run reconcile`: compares the indexed state with the chain's view functions AT THE INDEXED
 * HEIGHT (eth_call with blockTag = height of the last indexed block, hot blocks included).
 *
 * Checks: escrow accounts (accountOf), token configs (getToken) and totals (totalHeld, and the sum of
 * indexed accounts), batches (getBatch), payouts (getPayout), claims (isClaimed), payees of batches whose
 * leaves the API stored (api.batch_leaves: isClaimed must match "a claim is indexed"), participants
 * (getParticipant), role holders (hasRole), pause flags (paused), parameters (disputeWindow, feeBps,
 * treasury, getMinDelay) and timelock operations (getTimestamp); ValidatorRegistry: validators (getValidator:
 * fee recipient, commission and pending change, jailed, stake, shares, slash count, metadata;
 * validatorOfFeeRecipient), the validator count, totalStaked / totalUnbonding against the indexed sums,
 * delegations (sharesOf exactly; delegationOf = shares × stake / totalShares of the indexed validator exactly;
 * the stored `amount` never above it, see schema.graphql Delegation), unbonding requests (unbonding,
 * unbondingCount) and the registry configuration; blocks: the head's Block row (hash, coinbase) and no gaps.
 *
 * Output: `reconcile: N checked, M mismatches at block H`, then one line per mismatch. Exit 0 when
 * clean, 1 on mismatches, 2 (one line) when the database or the RPC cannot be reached (or nothing is
 * indexed yet / no deployments file), 3 on unexpected errors.
 * The RPC must serve historical state at that height (anvil does; on a real chain use an archive node).
 */
import * as fs from 'fs'
import * as path from 'path'
import { Contract, JsonRpcProvider } from 'ethers'
import { Client } from 'pg'
import { applyDatabaseEnv, childEnv, ConfigError, databaseFromEnv, projectRoot } from './config'
import { ContractName } from './contracts'
import { BATCH_STATUS_NAMES, PARTICIPANT_KIND_NAMES } from './mappings/util'
import { loadProcessorSettings } from './processor'

export interface ReconcileOptions {
    /** postgres URL; default from env (src/config.ts) */
    dbUrl?: string
    /** default from env / processor settings */
    rpcUrl?: string
    /** lowercase addresses; default from the deployments file */
    contracts?: Partial<Record<ContractName, string>>
    /** concurrent eth_calls, default 16 */
    concurrency?: number
    /** squid state schema, default squid_processor */
    stateSchema?: string
    /** max payee leaves checked via api.batch_leaves, default 20000 */
    maxLeafChecks?: number
}

export interface Mismatch {
    entity: string
    id: string
    field: string
    indexed: string
    chain: string
}

export interface ReconcileResult {
    height: number
    hash: string
    checked: number
    mismatches: Mismatch[]
    notes: string[]
}

export class ReconcileConnectionError extends Error {
    constructor(message: string) {
        super(message)
        this.name = 'ReconcileConnectionError'
    }
}

export function formatMismatch(m: Mismatch): string {
    return `${m.entity} ${m.id} ${m.field}: indexed=${m.indexed} chain=${m.chain}`
}

/** Run `fn` over `items` with at most `limit` in flight. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
    const out = new Array<R>(items.length)
    let next = 0
    const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
        while (next < items.length) {
            const i = next++
            out[i] = await fn(items[i])
        }
    })
    await Promise.all(workers)
    return out
}

function loadAbi(name: string): any[] {
    const file = path.join(projectRoot(), 'abi', `${name}.json`)
    const json = JSON.parse(fs.readFileSync(file, 'utf8'))
    return Array.isArray(json) ? json : json.abi
}

function connectionMessage(what: string, e: any): string {
    const code = e?.code ?? e?.cause?.code ?? e?.error?.code
    const msg = e?.shortMessage ?? e?.message ?? String(e)
    return `cannot reach ${what}: ${code && !String(msg).includes(String(code)) ? `${code} ` : ''}${msg}`.split('\n')[0]
}

const str = (v: unknown): string => (v == null ? 'null' : v instanceof Date ? String(Math.floor(v.getTime() / 1000)) : String(v))

interface IndexedHead {
    height: number
    hash: string
}

/** The indexed state, read in one REPEATABLE READ snapshot together with the head it reflects. */
async function readIndexed(db: Client, stateSchema: string) {
    await db.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
    try {
        const schema = '"' + stateSchema.replace(/"/g, '""') + '"'
        const status = await db.query(`SELECT height, hash FROM ${schema}.status WHERE id = 0`)
        const hot = await db.query(`SELECT height, hash FROM ${schema}.hot_block ORDER BY height DESC LIMIT 1`)
        let head: IndexedHead | undefined
        if (hot.rowCount) head = { height: Number(hot.rows[0].height), hash: hot.rows[0].hash }
        else if (status.rowCount && Number(status.rows[0].height) >= 0) head = { height: Number(status.rows[0].height), hash: status.rows[0].hash }
        const q = async (sql: string) => (await db.query(sql)).rows
        const data = {
            head,
            tokens: await q(`SELECT id, allowed, decimals, min_deposit, max_deposit, escrow_held, escrow_locked FROM token`),
            accounts: await q(`SELECT id, payer, token_id, available, locked FROM escrow_account`),
            batches: await q(
                `SELECT id, status, payer, token_id, root, total_amount, record_count, dispute_deadline, disputed, data_uri FROM batch`,
            ),
            payouts: await q(`SELECT id, token_id, root, total_amount, claimed_amount, fees_paid, opened_at FROM payout`),
            claims: await q(`SELECT c.id, c.batch_id, c.payee FROM claim c`),
            participants: await q(`SELECT id, kind, payout_address, active, consent, price_per_thousand, metadata_uri FROM participant`),
            roles: await q(`SELECT id, contract_address, role, account, active FROM role_assignment`),
            contractStates: await q(`SELECT id, contract, paused FROM contract_state`),
            params: await q(`SELECT dispute_window, fee_bps, treasury, timelock_min_delay FROM protocol_params WHERE id = 'protocol'`),
            timelockOps: await q(`SELECT id, status, ready_at FROM timelock_operation`),
            validators: await q(
                `SELECT id, fee_recipient, commission_bps, pending_commission_bps, pending_commission_effective_at, jailed, stake, total_shares, slash_count, metadata_uri, registered_at FROM validator`,
            ),
            delegations: await q(`SELECT id, delegator, validator_id, shares, amount FROM delegation`),
            unbondings: await q(`SELECT id, delegator, validator_id, amount, unlock_at, withdrawn FROM unbonding_request`),
            registryParams: await q(
                `SELECT staking_token, validator_treasury, unbonding_period, commission_change_delay, max_commission_bps FROM protocol_params WHERE id = 'protocol'`,
            ),
            blocks: (await q(`SELECT count(*)::int AS n, min(height) AS lo, max(height) AS hi FROM block`))[0],
            headBlock: undefined as any,
            leaves: [] as { batch_id: string; leaves: [string, string][] }[],
        }
        if (head) data.headBlock = (await q(`SELECT height, hash, fee_recipient FROM block WHERE height = ${Number(head.height)}`))[0]
        const hasLeaves = await db.query(`SELECT to_regclass('api.batch_leaves') AS t`)
        if (hasLeaves.rows[0]?.t) {
            data.leaves = await q(
                `SELECT l.batch_id, l.leaves FROM api.batch_leaves l JOIN payout p ON p.id = l.batch_id ORDER BY l.batch_id`,
            )
        }
        return data
    } finally {
        await db.query('ROLLBACK').catch(() => {})
    }
}

export async function reconcile(opts: ReconcileOptions = {}): Promise<ReconcileResult> {
    let dbUrl = opts.dbUrl
    if (!dbUrl) {
        dbUrl = applyDatabaseEnv(databaseFromEnv())
    }
    let rpcUrl = opts.rpcUrl
    let contracts = opts.contracts
    if (!rpcUrl || !contracts) {
        let s
        try {
            s = await loadProcessorSettings(rpcUrl ? childEnv({ RPC_URL: rpcUrl }) : undefined)
        } catch (e: any) {
            throw e instanceof ConfigError ? new ReconcileConnectionError(e.message) : e
        }
        rpcUrl ??= s.rpcUrl
        contracts ??= s.contracts
    }
    const addr = (name: ContractName): string => {
        const a = contracts![name]
        if (!a) throw new Error(`no address for ${name}`)
        return a
    }

    const db = new Client({ connectionString: dbUrl, connectionTimeoutMillis: 10_000 })
    // a lost connection fails the pending query (reported as such); unheard, its 'error' event would crash
    db.on('error', () => undefined)
    try {
        await db.connect()
    } catch (e) {
        throw new ReconcileConnectionError(connectionMessage(`database ${dbUrl.replace(/\/\/[^@/]*@/, '//***@')}`, e))
    }
    let indexed: Awaited<ReturnType<typeof readIndexed>>
    try {
        indexed = await readIndexed(db, opts.stateSchema ?? 'squid_processor')
    } catch (e: any) {
        if (e?.code === '42P01' || e?.code === '3F000') {
            throw new ReconcileConnectionError(`database has no indexed state (${e.message}): run the processor first`)
        }
        throw e
    } finally {
        await db.end().catch(() => {})
    }
    if (!indexed.head) throw new ReconcileConnectionError('nothing indexed yet: run the processor first')
    const { height, hash } = indexed.head

    const provider = new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true, batchMaxCount: 50 })
    const mismatches: Mismatch[] = []
    const notes: string[] = []
    let checked = 0
    const blockTag = height
    const mismatch = (entity: string, id: string, field: string, indexedValue: unknown, chainValue: unknown) => {
        if (str(indexedValue) !== str(chainValue)) mismatches.push({ entity, id, field, indexed: str(indexedValue), chain: str(chainValue) })
    }

    try {
        let block
        let timer: NodeJS.Timeout | undefined
        try {
            block = await Promise.race([
                provider.getBlock(height),
                new Promise<never>((_, rej) => {
                    timer = setTimeout(() => rej(new Error('timeout after 15s')), 15_000)
                }),
            ])
        } catch (e) {
            throw new ReconcileConnectionError(connectionMessage(`RPC ${rpcUrl}`, e))
        } finally {
            clearTimeout(timer)
        }
        checked++
        if (!block) {
            mismatches.push({ entity: 'head', id: String(height), field: 'exists', indexed: hash, chain: 'null' })
            return { height, hash, checked, mismatches, notes }
        }
        mismatch('head', String(height), 'hash', hash, block.hash)

        const c = (name: ContractName) => new Contract(addr(name), loadAbi(name), provider)
        const escrow = c('Escrow')
        const tokenRegistry = c('TokenRegistry')
        const ledger = c('BatchLedger')
        const distributor = c('Distributor')
        const registry = c('ParticipantRegistry')
        const timelock = c('PlatformTimelock')
        const validatorRegistry = contracts!.ValidatorRegistry ? c('ValidatorRegistry') : undefined
        const byAddress = new Map<string, Contract>([
            [addr('Escrow'), escrow],
            [addr('TokenRegistry'), tokenRegistry],
            [addr('BatchLedger'), ledger],
            [addr('Distributor'), distributor],
            [addr('ParticipantRegistry'), registry],
            [addr('PlatformTimelock'), timelock],
        ])
        if (validatorRegistry) byAddress.set(addr('ValidatorRegistry'), validatorRegistry)
        const limit = opts.concurrency ?? 16
        const call = async (fn: () => Promise<any>) => {
            checked++
            return fn()
        }

        // tokens: config, escrow totals (chain) and the indexed accounts' sums (internal consistency)
        const sums = new Map<string, { held: bigint; locked: bigint }>()
        for (const a of indexed.accounts) {
            const s = sums.get(a.token_id) ?? { held: 0n, locked: 0n }
            s.held += BigInt(a.available) + BigInt(a.locked)
            s.locked += BigInt(a.locked)
            sums.set(a.token_id, s)
        }
        await mapLimit(indexed.tokens, limit, async (t) => {
            const [cfg, held] = await Promise.all([
                call(() => tokenRegistry.getToken(t.id, { blockTag })),
                call(() => escrow.totalHeld(t.id, { blockTag })),
            ])
            mismatch('Token', t.id, 'allowed', t.allowed, cfg.allowed)
            mismatch('Token', t.id, 'decimals', t.decimals, Number(cfg.decimals))
            mismatch('Token', t.id, 'minDeposit', t.min_deposit, cfg.minDeposit)
            mismatch('Token', t.id, 'maxDeposit', t.max_deposit, cfg.maxDeposit)
            mismatch('Token', t.id, 'escrowHeld', t.escrow_held, held)
            const s = sums.get(t.id) ?? { held: 0n, locked: 0n }
            mismatch('Token', t.id, 'escrowHeld (sum of indexed accounts)', t.escrow_held, s.held)
            mismatch('Token', t.id, 'escrowLocked (sum of indexed accounts)', t.escrow_locked, s.locked)
        })

        await mapLimit(indexed.accounts, limit, async (a) => {
            const r = await call(() => escrow.accountOf(a.payer, a.token_id, { blockTag }))
            mismatch('EscrowAccount', a.id, 'available', a.available, r.available)
            mismatch('EscrowAccount', a.id, 'locked', a.locked, r.locked)
        })

        await mapLimit(indexed.batches, limit, async (b) => {
            const r = await call(() => ledger.getBatch(b.id, { blockTag }))
            mismatch('Batch', b.id, 'status', b.status, BATCH_STATUS_NAMES[Number(r.status)] ?? r.status)
            mismatch('Batch', b.id, 'payer', b.payer, r.payer.toLowerCase())
            mismatch('Batch', b.id, 'token', b.token_id, r.token.toLowerCase())
            mismatch('Batch', b.id, 'root', b.root, r.root.toLowerCase())
            mismatch('Batch', b.id, 'totalAmount', b.total_amount, r.totalAmount)
            mismatch('Batch', b.id, 'recordCount', b.record_count, Number(r.recordCount))
            mismatch('Batch', b.id, 'disputeDeadline', b.dispute_deadline, r.disputeDeadline)
            mismatch('Batch', b.id, 'disputed', b.disputed, r.disputed)
            mismatch('Batch', b.id, 'dataURI', b.data_uri, r.dataURI)
        })

        await mapLimit(indexed.payouts, limit, async (p) => {
            const r = await call(() => distributor.getPayout(p.id, { blockTag }))
            mismatch('Payout', p.id, 'token', p.token_id, r.token.toLowerCase())
            mismatch('Payout', p.id, 'root', p.root, r.root.toLowerCase())
            mismatch('Payout', p.id, 'totalAmount', p.total_amount, r.totalAmount)
            mismatch('Payout', p.id, 'claimedAmount', p.claimed_amount, r.claimedAmount)
            mismatch('Payout', p.id, 'feesPaid', p.fees_paid, r.feesPaid)
            mismatch('Payout', p.id, 'openedAt', p.opened_at, r.openedAt)
        })

        await mapLimit(indexed.claims, limit, async (cl) => {
            const r = await call(() => distributor.isClaimed(cl.batch_id, cl.payee, { blockTag }))
            mismatch('Claim', cl.id, 'isClaimed', true, r)
        })

        // payees the API built leaves for: a claim is indexed iff the chain says claimed
        const claimed = new Set(indexed.claims.map((cl) => `${cl.batch_id}-${cl.payee}`))
        const leafChecks: { batchId: string; payee: string }[] = []
        for (const row of indexed.leaves) {
            for (const [payee] of row.leaves) {
                const key = `${row.batch_id}-${payee.toLowerCase()}`
                if (!claimed.has(key)) leafChecks.push({ batchId: row.batch_id, payee: payee.toLowerCase() })
            }
        }
        const maxLeaf = opts.maxLeafChecks ?? 20_000
        if (leafChecks.length > maxLeaf) notes.push(`checked ${maxLeaf} of ${leafChecks.length} unclaimed payee leaves`)
        await mapLimit(leafChecks.slice(0, maxLeaf), limit, async (l) => {
            const r = await call(() => distributor.isClaimed(l.batchId, l.payee, { blockTag }))
            mismatch('Claim', `${l.batchId}-${l.payee}`, 'isClaimed (no claim indexed)', false, r)
        })

        await mapLimit(indexed.participants, limit, async (p) => {
            const r = await call(() => registry.getParticipant(p.id, { blockTag }))
            mismatch('Participant', p.id, 'kind', p.kind, PARTICIPANT_KIND_NAMES[Number(r.kind)] ?? r.kind)
            mismatch('Participant', p.id, 'payoutAddress', p.payout_address, r.payoutAddress.toLowerCase())
            mismatch('Participant', p.id, 'active', p.active, r.active)
            mismatch('Participant', p.id, 'consent', p.consent, r.consent)
            mismatch('Participant', p.id, 'pricePerThousand', p.price_per_thousand, r.pricePerThousand)
            mismatch('Participant', p.id, 'metadataURI', p.metadata_uri, r.metadataURI)
        })

        await mapLimit(indexed.roles, limit, async (ra) => {
            const contract = byAddress.get(ra.contract_address)
            if (!contract) return
            const r = await call(() => contract.hasRole(ra.role, ra.account, { blockTag }))
            mismatch('RoleAssignment', ra.id, 'active', ra.active, r)
        })

        await mapLimit(
            indexed.contractStates.filter((s) => s.contract !== 'PLATFORM_TIMELOCK'),
            limit,
            async (s) => {
                const contract = byAddress.get(s.id)
                if (!contract) return
                const r = await call(() => contract.paused({ blockTag }))
                mismatch('ContractState', s.id, 'paused', s.paused, r)
            },
        )

        const params = indexed.params[0]
        if (params) {
            const [window, fee, treasury, minDelay] = await Promise.all([
                call(() => ledger.disputeWindow({ blockTag })),
                call(() => distributor.feeBps({ blockTag })),
                call(() => distributor.treasury({ blockTag })),
                call(() => timelock.getMinDelay({ blockTag })),
            ])
            if (params.dispute_window != null) mismatch('ProtocolParams', 'protocol', 'disputeWindow', params.dispute_window, window)
            if (params.fee_bps != null) mismatch('ProtocolParams', 'protocol', 'feeBps', params.fee_bps, Number(fee))
            if (params.treasury != null) mismatch('ProtocolParams', 'protocol', 'treasury', params.treasury, treasury.toLowerCase())
            if (params.timelock_min_delay != null)
                mismatch('ProtocolParams', 'protocol', 'timelockMinDelay', params.timelock_min_delay, minDelay)
        }

        await mapLimit(indexed.timelockOps, limit, async (op) => {
            const ts: bigint = await call(() => timelock.getTimestamp(op.id, { blockTag }))
            // OZ TimelockController: 0 = unset/cancelled, 1 = done, else the ready timestamp
            const expected = op.status === 'EXECUTED' ? '1' : op.status === 'CANCELLED' ? '0' : op.ready_at ? str(op.ready_at) : 'null'
            mismatch('TimelockOperation', op.id, 'getTimestamp', expected, ts)
        })

        if (validatorRegistry) {
            await reconcileValidators(validatorRegistry, indexed, blockTag, limit, call, mismatch)
        } else {
            notes.push('no ValidatorRegistry address: validators not checked')
        }

        // blocks: the head block is indexed with the chain's hash and coinbase, and no height is missing
        checked++
        const hb = indexed.headBlock
        mismatch('Block', String(height), 'hash', hb?.hash ?? 'null', block.hash)
        mismatch('Block', String(height), 'feeRecipient', hb?.fee_recipient ?? 'null', block.miner.toLowerCase())
        const bs = indexed.blocks
        if (bs && bs.n > 0) mismatch('Block', `${bs.lo}..${bs.hi}`, 'count', bs.n, Number(bs.hi) - Number(bs.lo) + 1)
    } catch (e: any) {
        if (e instanceof ReconcileConnectionError) throw e
        if (e?.code === 'ECONNREFUSED' || e?.cause?.code === 'ECONNREFUSED' || /ECONNREFUSED|fetch failed/.test(String(e?.message))) {
            throw new ReconcileConnectionError(connectionMessage(`RPC ${rpcUrl}`, e))
        }
        throw e
    } finally {
        provider.destroy()
    }
    mismatches.sort((a, b) => (a.entity + a.id + a.field).localeCompare(b.entity + b.id + b.field))
    return { height, hash, checked, mismatches, notes }
}

type Indexed = Awaited<ReturnType<typeof readIndexed>>
type MismatchFn = (entity: string, id: string, field: string, indexedValue: unknown, chainValue: unknown) => void

/** ValidatorRegistry views vs the indexed validators, delegations, unbonding requests and configuration. */
async function reconcileValidators(
    vr: Contract,
    indexed: Indexed,
    blockTag: number,
    limit: number,
    call: (fn: () => Promise<any>) => Promise<any>,
    mismatch: MismatchFn,
): Promise<void> {
    const byId = new Map(indexed.validators.map((v) => [v.id, v]))
    const [count, totalStaked, totalUnbonding, unbondingCount] = await Promise.all([
        call(() => vr.validatorCount({ blockTag })),
        call(() => vr.totalStaked({ blockTag })),
        call(() => vr.totalUnbonding({ blockTag })),
        call(() => vr.unbondingCount({ blockTag })),
    ])
    mismatch('ValidatorRegistry', 'registry', 'validatorCount', indexed.validators.length, count)
    mismatch('ValidatorRegistry', 'registry', 'totalStaked (sum of indexed stakes)', indexed.validators.reduce((s, v) => s + BigInt(v.stake), 0n), totalStaked)
    const pending = indexed.unbondings.filter((u) => !u.withdrawn).reduce((s, u) => s + BigInt(u.amount), 0n)
    mismatch('ValidatorRegistry', 'registry', 'totalUnbonding (sum of pending requests)', pending, totalUnbonding)
    mismatch('ValidatorRegistry', 'registry', 'unbondingCount', indexed.unbondings.length, unbondingCount)

    await mapLimit(indexed.validators, limit, async (v) => {
        const hasRecipient = /^0x[0-9a-f]{40}$/.test(v.fee_recipient) // (a stub created for an unknown validator has none)
        const [r, owner] = await Promise.all([
            call(() => vr.getValidator(v.id, { blockTag })),
            hasRecipient ? call(() => vr.validatorOfFeeRecipient(v.fee_recipient, { blockTag })) : Promise.resolve('(none)'),
        ])
        const pendingAt = BigInt(r.commissionEffectiveAt)
        mismatch('Validator', v.id, 'registered', true, r.registered)
        mismatch('Validator', v.id, 'feeRecipient', v.fee_recipient, r.feeRecipient.toLowerCase())
        mismatch('Validator', v.id, 'validatorOfFeeRecipient', v.id, owner.toLowerCase())
        mismatch('Validator', v.id, 'commissionBps', v.commission_bps, Number(r.commissionBps))
        mismatch('Validator', v.id, 'pendingCommissionBps', v.pending_commission_bps, pendingAt === 0n ? null : Number(r.pendingCommissionBps))
        mismatch('Validator', v.id, 'pendingCommissionEffectiveAt', v.pending_commission_effective_at, pendingAt === 0n ? null : pendingAt)
        mismatch('Validator', v.id, 'jailed', v.jailed, r.jailed)
        mismatch('Validator', v.id, 'stake', v.stake, r.stake)
        mismatch('Validator', v.id, 'totalShares', v.total_shares, r.totalShares)
        mismatch('Validator', v.id, 'slashCount', v.slash_count, Number(r.slashCount))
        mismatch('Validator', v.id, 'metadataURI', v.metadata_uri, r.metadataURI)
        mismatch('Validator', v.id, 'registeredAt', v.registered_at, r.registeredAt)
    })

    await mapLimit(indexed.delegations, limit, async (d) => {
        const [shares, value] = await Promise.all([
            call(() => vr.sharesOf(d.delegator, d.validator_id, { blockTag })),
            call(() => vr.delegationOf(d.delegator, d.validator_id, { blockTag })),
        ])
        mismatch('Delegation', d.id, 'shares', d.shares, shares)
        const v = byId.get(d.validator_id)
        const total = v ? BigInt(v.total_shares) : 0n
        const derived = total === 0n ? 0n : (BigInt(d.shares) * BigInt(v!.stake)) / total
        mismatch('Delegation', d.id, 'value (shares × stake / totalShares)', derived, value)
        // amount is the value as of amountAtBlock; the share price only rises (by rounding) until a slash revalues it
        if (BigInt(d.amount) > BigInt(value)) mismatch('Delegation', d.id, 'amount (at most the value)', d.amount, value)
    })

    await mapLimit(indexed.unbondings, limit, async (u) => {
        const r = await call(() => vr.unbonding(BigInt(u.id), { blockTag }))
        mismatch('UnbondingRequest', u.id, 'delegator', u.delegator, r.delegator.toLowerCase())
        mismatch('UnbondingRequest', u.id, 'validator', u.validator_id, r.validator.toLowerCase())
        mismatch('UnbondingRequest', u.id, 'amount', u.amount, r.amount)
        mismatch('UnbondingRequest', u.id, 'unlockAt', u.unlock_at, r.unlockAt)
        mismatch('UnbondingRequest', u.id, 'withdrawn', u.withdrawn, r.withdrawn)
    })

    const p = indexed.registryParams[0]
    if (p && p.staking_token != null) {
        const [token, treasury, period, delay, maxBps] = await Promise.all([
            call(() => vr.stakingToken({ blockTag })),
            call(() => vr.treasury({ blockTag })),
            call(() => vr.unbondingPeriod({ blockTag })),
            call(() => vr.commissionChangeDelay({ blockTag })),
            call(() => vr.maxCommissionBps({ blockTag })),
        ])
        mismatch('ProtocolParams', 'protocol', 'stakingToken', p.staking_token, token.toLowerCase())
        mismatch('ProtocolParams', 'protocol', 'validatorTreasury', p.validator_treasury, treasury.toLowerCase())
        mismatch('ProtocolParams', 'protocol', 'unbondingPeriod', p.unbonding_period, period)
        mismatch('ProtocolParams', 'protocol', 'commissionChangeDelay', p.commission_change_delay, delay)
        mismatch('ProtocolParams', 'protocol', 'maxCommissionBps', p.max_commission_bps, Number(maxBps))
    }
}

async function cli(): Promise<number> {
    try {
        const r = await reconcile()
        console.log(`reconcile: ${r.checked} checked, ${r.mismatches.length} mismatches at block ${r.height} (${r.hash})`)
        for (const n of r.notes) console.log(`note: ${n}`)
        for (const m of r.mismatches) console.log(formatMismatch(m))
        return r.mismatches.length ? 1 : 0
    } catch (e: any) {
        if (e instanceof ReconcileConnectionError || e?.name === 'ConfigError') {
            console.error(`reconcile: ${e.message}`)
            return 2
        }
        console.error('reconcile: unexpected error:', e)
        return 3
    }
}

if (require.main === module) {
    cli().then((code) => process.exit(code))
}

/**
 * `npm run reconcile`: the indexed state against the chain's view functions AT THE INDEXED HEIGHT (eth_call with
 * blockTag = height of the last indexed block, hot blocks included).
 *
 * Checks: the versioned entities (versioned.ts: escrow accounts, token configs and totals, batches, participants),
 * payouts (getPayout), claims (isClaimed) and the payees of stored batch leaves (claims.ts), role holders
 * (hasRole), pause flags (paused), parameters (disputeWindow, feeBps, treasury, getMinDelay), timelock operations
 * (getTimestamp), the ValidatorRegistry (validators.ts), and blocks: the head's Block row (hash, coinbase) and no gaps.
 * The RPC must serve historical state at that height (anvil does; on a real chain use an archive node).
 */
import { Client } from 'pg'
import { checkClaims, readClaims } from './claims'
import { asConnectionError, chainBlock, endpoints, readHead, readSnapshot, rpcProvider, Views, views } from './connect'
import { Checker, mapLimit, ReconcileConnectionError, ReconcileOptions, ReconcileResult, str } from './types'
import { checkValidators, readValidators } from './validators'
import { checkVersioned, readVersionedRows } from './versioned'

/** The indexed state, read in one snapshot together with the head it reflects. */
async function readIndexed(db: Client, stateSchema: string) {
    const q = async (sql: string, params?: unknown[]) => (await db.query(sql, params)).rows
    const head = await readHead(db, stateSchema)
    return {
        head,
        versioned: await readVersionedRows(q),
        claims: await readClaims(db),
        payouts: await q(`SELECT id, token_id, root, total_amount, claimed_amount, fees_paid, opened_at FROM payout`),
        roles: await q(`SELECT id, contract_address, role, account, active FROM role_assignment`),
        contractStates: await q(`SELECT id, contract, paused FROM contract_state`),
        params: await q(`SELECT dispute_window, fee_bps, treasury, timelock_min_delay FROM protocol_params WHERE id = 'protocol'`),
        timelockOps: await q(`SELECT id, status, ready_at FROM timelock_operation`),
        validators: await readValidators(db),
        blocks: (await q(`SELECT count(*)::int AS n, min(height) AS lo, max(height) AS hi FROM block`))[0],
        headBlock: head ? (await q(`SELECT height, hash, fee_recipient FROM block WHERE height = $1`, [head.height]))[0] : undefined,
    }
}

type Indexed = Awaited<ReturnType<typeof readIndexed>>

export async function reconcile(opts: ReconcileOptions = {}): Promise<ReconcileResult> {
    const { dbUrl, rpcUrl, contracts } = await endpoints(opts)
    const indexed = await readSnapshot(dbUrl, (db) => readIndexed(db, opts.stateSchema ?? 'squid_processor'))
    if (!indexed.head) throw new ReconcileConnectionError('nothing indexed yet: run the processor first')
    const { height, hash } = indexed.head

    const provider = rpcProvider(rpcUrl)
    const ck = new Checker(height, opts.concurrency ?? 16)
    try {
        const block = await chainBlock(provider, rpcUrl, height)
        ck.count()
        if (!block) {
            ck.mismatches.push({ entity: 'head', id: String(height), field: 'exists', indexed: hash, chain: 'null' })
            return { height, hash, checked: ck.checked, mismatches: ck.sorted(), notes: ck.notes }
        }
        ck.eq('head', String(height), 'hash', hash, block.hash)
        const v = views(provider, contracts)
        await checkVersioned(indexed.versioned, v, ck)
        await checkPayouts(indexed, v, ck)
        await checkClaims(indexed.claims, v, ck, opts.maxLeafChecks ?? 20_000)
        await checkGovernance(indexed, v, ck)
        if (v.validatorRegistry) await checkValidators(v.validatorRegistry, indexed.validators, ck)
        else ck.notes.push('no ValidatorRegistry address: validators not checked')

        // blocks: the head block is indexed with the chain's hash and coinbase, and no height is missing
        ck.count()
        const hb = indexed.headBlock
        ck.eq('Block', String(height), 'hash', hb?.hash ?? 'null', block.hash)
        ck.eq('Block', String(height), 'feeRecipient', hb?.fee_recipient ?? 'null', block.miner.toLowerCase())
        const bs = indexed.blocks
        if (bs && bs.n > 0) ck.eq('Block', `${bs.lo}..${bs.hi}`, 'count', bs.n, Number(bs.hi) - Number(bs.lo) + 1)
    } catch (e: any) {
        throw asConnectionError(e, rpcUrl)
    } finally {
        provider.destroy()
    }
    return { height, hash, checked: ck.checked, mismatches: ck.sorted(), notes: ck.notes }
}

async function checkPayouts(indexed: Indexed, v: Views, ck: Checker): Promise<void> {
    await mapLimit(indexed.payouts, ck.limit, async (p) => {
        const r = await ck.call(() => v.distributor.getPayout(p.id, { blockTag: ck.blockTag }))
        ck.eq('Payout', p.id, 'token', p.token_id, r.token.toLowerCase())
        ck.eq('Payout', p.id, 'root', p.root, r.root.toLowerCase())
        ck.eq('Payout', p.id, 'totalAmount', p.total_amount, r.totalAmount)
        ck.eq('Payout', p.id, 'claimedAmount', p.claimed_amount, r.claimedAmount)
        ck.eq('Payout', p.id, 'feesPaid', p.fees_paid, r.feesPaid)
        ck.eq('Payout', p.id, 'openedAt', p.opened_at, r.openedAt)
    })
}

/** Roles, pause flags, protocol parameters and timelock operations. */
async function checkGovernance(indexed: Indexed, v: Views, ck: Checker): Promise<void> {
    const blockTag = ck.blockTag
    await mapLimit(indexed.roles, ck.limit, async (ra) => {
        const contract = v.byAddress.get(ra.contract_address)
        if (!contract) return
        const r = await ck.call(() => contract.hasRole(ra.role, ra.account, { blockTag }))
        ck.eq('RoleAssignment', ra.id, 'active', ra.active, r)
    })
    const pausable = indexed.contractStates.filter((s) => s.contract !== 'PLATFORM_TIMELOCK')
    await mapLimit(pausable, ck.limit, async (s) => {
        const contract = v.byAddress.get(s.id)
        if (!contract) return
        const r = await ck.call(() => contract.paused({ blockTag }))
        ck.eq('ContractState', s.id, 'paused', s.paused, r)
    })
    const params = indexed.params[0]
    if (params) {
        const [window, fee, treasury, minDelay] = await Promise.all([
            ck.call(() => v.ledger.disputeWindow({ blockTag })),
            ck.call(() => v.distributor.feeBps({ blockTag })),
            ck.call(() => v.distributor.treasury({ blockTag })),
            ck.call(() => v.timelock.getMinDelay({ blockTag })),
        ])
        if (params.dispute_window != null) ck.eq('ProtocolParams', 'protocol', 'disputeWindow', params.dispute_window, window)
        if (params.fee_bps != null) ck.eq('ProtocolParams', 'protocol', 'feeBps', params.fee_bps, Number(fee))
        if (params.treasury != null) ck.eq('ProtocolParams', 'protocol', 'treasury', params.treasury, treasury.toLowerCase())
        if (params.timelock_min_delay != null) ck.eq('ProtocolParams', 'protocol', 'timelockMinDelay', params.timelock_min_delay, minDelay)
    }
    await mapLimit(indexed.timelockOps, ck.limit, async (op) => {
        const ts: bigint = await ck.call(() => v.timelock.getTimestamp(op.id, { blockTag }))
        // OZ TimelockController: 0 = unset/cancelled, 1 = done, else the ready timestamp
        const expected = op.status === 'EXECUTED' ? '1' : op.status === 'CANCELLED' ? '0' : op.ready_at ? str(op.ready_at) : 'null'
        ck.eq('TimelockOperation', op.id, 'getTimestamp', expected, ts)
    })
}

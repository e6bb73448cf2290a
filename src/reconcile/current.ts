/**
 * `npm run reconcile`: the indexed state against the chain's view functions AT THE INDEXED HEIGHT (eth_call with
 * blockTag = height of the last indexed block, hot blocks included).
 *
 * Checks: the versioned entities (VIEW_CHECKS, versioned.ts: escrow accounts, token configs and totals, batches,
 * participants, payouts, disputes, role holders, protocol parameters, validators, delegations), claims (isClaimed)
 * and the payees of stored batch leaves (claims.ts), pause flags (paused), timelock operations (getTimestamp),
 * unbonding requests (validators.ts), and blocks: the head's Block row (hash, coinbase) and no gaps.
 * The RPC must serve historical state at that height (anvil does; on a real chain use an archive node).
 */
import { Client } from 'pg'
import { checkClaims, readClaims } from './claims'
import { asConnectionError, chainBlock, endpoints, readHead, readSnapshot, rpcProvider, Views, views } from './connect'
import { Checker, mapLimit, ReconcileConnectionError, ReconcileOptions, ReconcileResult, str } from './types'
import { checkUnbondings, readUnbondings } from './validators'
import { checkVersioned, readVersionedRows } from './versioned'

/** The indexed state, read in one snapshot together with the head it reflects. */
async function readIndexed(db: Client, stateSchema: string) {
    const q = async (sql: string, params?: unknown[]) => (await db.query(sql, params)).rows
    const head = await readHead(db, stateSchema)
    return {
        head,
        versioned: await readVersionedRows(q),
        claims: await readClaims(db),
        contractStates: await q(`SELECT id, contract, paused FROM contract_state`),
        timelockOps: await q(`SELECT id, status, ready_at FROM timelock_operation`),
        unbondings: await readUnbondings(db),
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
    let rows: Record<string, number> = {}
    try {
        const block = await chainBlock(provider, rpcUrl, height)
        ck.count()
        if (!block) {
            ck.mismatches.push({ entity: 'head', id: String(height), field: 'exists', indexed: hash, chain: 'null' })
            return { height, hash, checked: ck.checked, mismatches: ck.sorted(), notes: ck.notes }
        }
        ck.eq('head', String(height), 'hash', hash, block.hash)
        const v = views(provider, contracts)
        rows = await checkVersioned(indexed.versioned, v, ck)
        await checkClaims(indexed.claims, v, ck, opts.maxLeafChecks ?? 20_000)
        await checkGovernance(indexed, v, ck)
        if (v.validatorRegistry) await checkUnbondings(v.validatorRegistry, indexed.unbondings, ck)
        else ck.notes.push('no ValidatorRegistry address: unbonding requests not checked')

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
    return { height, hash, checked: ck.checked, mismatches: ck.sorted(), notes: ck.notes, rows }
}

/** Pause flags and timelock operations (not versioned: current state only). */
async function checkGovernance(indexed: Indexed, v: Views, ck: Checker): Promise<void> {
    const blockTag = ck.blockTag
    const pausable = indexed.contractStates.filter((s) => s.contract !== 'PLATFORM_TIMELOCK')
    await mapLimit(pausable, ck.limit, async (s) => {
        const contract = v.byAddress.get(s.id)
        if (!contract) return
        const r = await ck.call(() => contract.paused({ blockTag }))
        ck.eq('ContractState', s.id, 'paused', s.paused, r)
    })
    await mapLimit(indexed.timelockOps, ck.limit, async (op) => {
        const ts: bigint = await ck.call(() => v.timelock.getTimestamp(op.id, { blockTag }))
        // OZ TimelockController: 0 = unset/cancelled, 1 = done, else the ready timestamp
        const expected = op.status === 'EXECUTED' ? '1' : op.status === 'CANCELLED' ? '0' : op.ready_at ? str(op.ready_at) : 'null'
        ck.eq('TimelockOperation', op.id, 'getTimestamp', expected, ts)
    })
}

/**
 * Reorgs and the hand-made subscriptions, on real Postgres and the real server; we play the processor: rows written
 * at blocks 101-102 and notified, then rolled back from block 102 as squid does on a fork (a row updated there gets
 * its older state back, rows inserted there vanish) with a new branch, notified with `reorg: true` and only the new
 * branch's ids. Every subscriber that was shown a gone state must get the corrected row, or the last one marked
 * `removed`, flagged `reorg` in the payload and in `extensions`; a live query pushes its corrected result too.
 */
import { encodePayload, NotifyPayload } from '../../src/indexer/write/notify'
import type { RunningServer } from '../../src/server'
import { addr, bid, insertClaim, insertPayout, insertToken, PAYER, PgStack, setIndexerHead, startPgStack, until, upsertBatch, upsertEscrowAccount } from './support/stack'
import { startTestServer } from './support/server'
import { WsClients } from './support/ws-client'

jest.setTimeout(120_000)

let stack: PgStack
let server: RunningServer
const clients = new WsClients(() => server.wsUrl)
const T0 = new Date('2024-05-01T00:00:00Z')
const PAYEE = addr(0x99)

const sub = (query: string) => clients.subscribe(query)

async function notify(p: Omit<NotifyPayload, 'hash' | 'head'>) {
    await stack.pool.query(`SELECT pg_notify('squid_batch', $1)`, [encodePayload({ hash: `0x${p.height.toString(16)}`, head: true, ...p })])
}

beforeAll(async () => {
    stack = await startPgStack()
    await insertToken(stack.pool)
    await setIndexerHead(stack.pool, 100)
    server = await startTestServer(stack.url, { subscriptions: { liveMinIntervalMs: 50 } })
})

afterAll(async () => {
    await clients.disposeAll()
    await server?.close()
    await stack?.close()
})

test('after a reorg every subscription that showed a gone state gets the corrected row or a removal, flagged reorg', async () => {
    const kept = bid(0xa1) // committed at 101, finalised at 102 on the abandoned branch
    const gone = bid(0xa2) // committed at 102 on the abandoned branch only
    const fresh = bid(0xa3) // committed at 102 on the new branch
    const batches = sub(`subscription { batchUpdated { id status updatedAtBlock reorg removed } }`)
    const plain = sub(`subscription { b: batchUpdated { id status } }`) // selects no mark: extensions only
    const claims = sub(`subscription { payoutClaimed(payee: "${PAYEE}") { id removed reorg } }`)
    const escrow = sub(`subscription { escrowBalanceChanged(payer: "${PAYER}") { available updatedAtBlock reorg removed } }`)
    const head = sub(`subscription { indexerHead { height reorg } }`)
    const live = sub(`subscription { batches(orderBy: id_ASC) { id status } }`)
    await until(() => server.hub.count('batchUpdated') === 2 && server.hub.count('indexerHead') === 1 && server.hub.count('escrowBalanceChanged') === 1)
    await live.upTo(1)

    // block 101: a batch committed, a deposit
    await upsertBatch(stack.pool, { id: kept, totalAmount: 10n, committedAt: T0, committedAtBlock: 101, updatedAtBlock: 101 })
    const account = await upsertEscrowAccount(stack.pool, PAYER, 100n, 0n, 101)
    await notify({ height: 101, fromHeight: 101, changed: { batches: [kept], escrowAccounts: [account] }, tables: ['Batch', 'EscrowAccount'] })
    await batches.upTo(1)
    // block 102 (to be abandoned): finalised, claimed, another batch, the balance locked
    const at = new Date(T0.getTime() + 3_600_000)
    await upsertBatch(stack.pool, { id: kept, status: 'FINALIZED', totalAmount: 10n, committedAt: T0, committedAtBlock: 101, finalizedAt: at, finalizedAtBlock: 102, updatedAtBlock: 102 })
    await upsertBatch(stack.pool, { id: gone, totalAmount: 5n, committedAt: at, committedAtBlock: 102, updatedAtBlock: 102 })
    await insertPayout(stack.pool, kept, 10n, at, 102)
    const claim = await insertClaim(stack.pool, { batchId: kept, payee: PAYEE, amount: 10n, block: 102, at })
    await upsertEscrowAccount(stack.pool, PAYER, 95n, 5n, 102)
    await notify({ height: 102, fromHeight: 102, changed: { batches: [kept, gone], claims: [claim], escrowAccounts: [account] }, tables: ['Batch', 'Claim', 'EscrowAccount', 'Payout'] })
    await batches.upTo(3)
    await claims.upTo(1)
    await escrow.upTo(2)
    await until(() => JSON.stringify(live.events.at(-1)?.data?.batches) === JSON.stringify([{ id: kept, status: 'FINALIZED' }, { id: gone, status: 'COMMITTED' }]))

    // the fork: squid undoes block 102 (older states back, inserts gone), the new branch commits another batch
    await stack.pool.query(`DELETE FROM claim WHERE id = $1`, [claim])
    await stack.pool.query(`DELETE FROM payout WHERE id = $1`, [kept])
    await stack.pool.query(`DELETE FROM batch WHERE id = $1`, [gone])
    await upsertBatch(stack.pool, { id: kept, totalAmount: 10n, committedAt: T0, committedAtBlock: 101, updatedAtBlock: 101 })
    await upsertEscrowAccount(stack.pool, PAYER, 100n, 0n, 101)
    await upsertBatch(stack.pool, { id: fresh, totalAmount: 7n, committedAt: at, committedAtBlock: 102, updatedAtBlock: 102 })
    const livePushes = live.events.length
    await notify({ height: 103, fromHeight: 102, reorg: true, changed: { batches: [fresh] }, tables: ['Batch'] })

    const got = (await batches.upTo(6)).slice(3).map((e) => e.data!.batchUpdated)
    expect(got).toEqual(
        expect.arrayContaining([
            { id: fresh, status: 'COMMITTED', updatedAtBlock: 102, reorg: true, removed: false },
            { id: kept, status: 'COMMITTED', updatedAtBlock: 101, reorg: true, removed: false },
            { id: gone, status: 'COMMITTED', updatedAtBlock: 102, reorg: true, removed: true },
        ]),
    )
    expect(got).toHaveLength(3)
    // the same events for a subscriber that selected neither mark: in extensions, the selection untouched
    const plainGot = (await plain.upTo(6)).slice(3)
    expect(plainGot).toEqual(
        expect.arrayContaining([
            { data: { b: { id: fresh, status: 'COMMITTED' } }, extensions: { reorg: true } },
            { data: { b: { id: kept, status: 'COMMITTED' } }, extensions: { reorg: true } },
            { data: { b: { id: gone, status: 'COMMITTED' } }, extensions: { reorg: true, removed: true } },
        ]),
    )
    expect((await plain.upTo(3)).slice(0, 3).every((e) => e.extensions === undefined)).toBe(true)
    expect((await claims.upTo(2))[1]).toEqual({ data: { payoutClaimed: { id: claim, removed: true, reorg: true } }, extensions: { reorg: true, removed: true } })
    expect((await escrow.upTo(3))[2].data!.escrowBalanceChanged).toEqual({ available: '100', updatedAtBlock: 101, reorg: true, removed: false })
    expect(head.events.map((e) => e.data!.indexerHead)).toEqual([
        { height: 101, reorg: false },
        { height: 102, reorg: false },
        { height: 103, reorg: true },
    ])
    await live.upTo(livePushes + 1)
    expect(live.events.at(-1)).toEqual({ data: { batches: [{ id: kept, status: 'COMMITTED' }, { id: fresh, status: 'COMMITTED' }] }, extensions: { reorg: true } })

    // nothing more arrives: each correction once
    await new Promise((r) => setTimeout(r, 300))
    expect(batches.events).toHaveLength(6)
    expect(claims.events).toHaveLength(2)
    expect(escrow.events).toHaveLength(3)
})

test('a head that went backwards without the flag counts as a reorg too', async () => {
    const b = bid(0xb1)
    const batches = sub(`subscription { batchUpdated(id: "${b}") { id removed } }`)
    await until(() => server.hub.count('batchUpdated') >= 3)
    await upsertBatch(stack.pool, { id: b, totalAmount: 1n, committedAt: T0, committedAtBlock: 110, updatedAtBlock: 110 })
    await notify({ height: 110, fromHeight: 104, changed: { batches: [b] }, tables: ['Batch'] })
    await batches.upTo(1)
    // a processor restarted on another branch: height 107 < 110, no flag, the batch is gone
    await stack.pool.query(`DELETE FROM batch WHERE id = $1`, [b])
    await notify({ height: 107, fromHeight: 105, changed: {}, tables: [] })
    expect((await batches.upTo(2))[1]).toEqual({ data: { batchUpdated: { id: b, removed: true } }, extensions: { reorg: true, removed: true } })
})

test('a reorg while the LISTEN connection was down: caught up on reconnect, corrections flagged reorg', async () => {
    const b = bid(0xc1)
    const batches = sub(`subscription { batchUpdated(id: "${b}") { id removed } }`)
    const live = sub(`subscription { batchById(id: "${b}") { id } }`)
    await until(() => server.hub.count('batchUpdated') >= 4)
    await live.upTo(1)
    const hot = (h: number) => '0x' + h.toString(16).padStart(64, 'a') // setIndexerHead's hot block hashes
    await upsertBatch(stack.pool, { id: b, totalAmount: 1n, committedAt: T0, committedAtBlock: 120, updatedAtBlock: 120 })
    await setIndexerHead(stack.pool, 100, [118, 119, 120])
    await stack.pool.query(`SELECT pg_notify('squid_batch', $1)`, [encodePayload({ height: 120, hash: hot(120), fromHeight: 120, head: true, changed: { batches: [b] }, tables: ['Batch'] })])
    await batches.upTo(1)
    // the live query shows the batch before the connection is cut (its re-run waits LIVE_MIN_INTERVAL_MS)
    await until(() => live.events.some((e) => e.data?.batchById?.id === b), 5_000)
    const reconnects = server.listener.reconnects
    await stack.pool.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'settlement-api-listen'`)
    // meanwhile: a fork at 119, the batch gone, the new branch not longer yet (its notice is lost)
    await stack.pool.query(`DELETE FROM batch WHERE id = $1`, [b])
    await setIndexerHead(stack.pool, 100, [118, 119])
    await until(() => server.listener.reconnects > reconnects, 15_000)
    expect((await batches.upTo(2, 10_000))[1]).toEqual({ data: { batchUpdated: { id: b, removed: true } }, extensions: { reorg: true, removed: true } })
    // the live query too, flagged
    expect((await live.upTo(3))[2]).toEqual({ data: { batchById: null }, extensions: { reorg: true } })
})

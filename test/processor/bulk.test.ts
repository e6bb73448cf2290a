/**
 * The bulk write path (src/indexer/write/bulk.ts) against typeorm-store's own insert / upsert and RollupBuffer's
 * merge, on a real Postgres with the project's migrations: the same rows must end up stored identically.
 * Each variant runs in its own transaction (rolled back), so foreign keys (deferred) never fire.
 */
import { Store } from '@subsquid/typeorm-store'
import { ChangeTracker, rollbackBlock } from '@subsquid/typeorm-store/lib/hot'
import { DataSource, EntityManager } from 'typeorm'
import { SnakeNamingStrategy } from '@subsquid/typeorm-config/lib/namingStrategy'
import { applyMigrations } from '../../src/indexer/migrations'
import { BulkSession, bulkInsert, bulkMergeRollup, bulkUpsert } from '../../src/indexer/write/bulk'
import { zeroTokenCounters } from '../../src/mappings/rollups'
import { RollupBuffer } from '../../src/mappings/rollup-buffer'
import { TOKEN_SNAPSHOT_FIELDS } from '../../src/mappings/state'
import * as model from '../../src/model'
import type { EmbeddedPostgres } from '../../src/stack/postgres'
import { scratchPostgres, ScratchPostgres } from '../server/support/stack'

jest.setTimeout(120_000)

let scratch: ScratchPostgres
let pg: EmbeddedPostgres
let ds: DataSource

beforeAll(async () => {
    scratch = await scratchPostgres('bulk-test-', { noFsync: true })
    pg = scratch.pg
    await applyMigrations(pg.url)
    ds = new DataSource({
        type: 'postgres',
        url: pg.url,
        entities: Object.values(model).filter((v) => typeof v === 'function' && /^[A-Z]/.test((v as any).name)) as any[],
        namingStrategy: new SnakeNamingStrategy(),
        synchronize: false,
        logging: false,
    })
    await ds.initialize()
})

afterAll(async () => {
    await ds?.destroy().catch(() => {})
    await scratch?.stop()
})

/** Run `fn` with a squid Store in a transaction, dump `tables`, roll back. */
async function inTx(tables: string[], fn: (store: Store, em: EntityManager) => Promise<void>): Promise<Record<string, unknown[]>> {
    const qr = ds.createQueryRunner()
    await qr.connect()
    await qr.startTransaction()
    try {
        // the rows reference nothing real: no foreign key triggers in these transactions (test cluster, superuser)
        await qr.query(`SET LOCAL session_replication_role = replica`)
        const store = new Store(() => qr.manager)
        await fn(store, qr.manager)
        const out: Record<string, unknown[]> = {}
        for (const t of tables) out[t] = (await qr.manager.query(`SELECT * FROM "${t}" ORDER BY id`)).map((r: unknown) => JSON.parse(JSON.stringify(r)))
        return out
    } finally {
        await qr.rollbackTransaction()
        await qr.release()
    }
}

const TOKEN = '0x5fbdb2315678afecb367f032d93f642f64180aa3'
const at = (i: number) => new Date(Date.UTC(2026, 2, 9, 23, 59, 0) + i * 12_345)

function movements(n: number): model.EscrowMovement[] {
    const kinds = Object.values(model.EscrowMovementKind)
    return Array.from({ length: n }, (_, i) => {
        const payer = '0x' + (i % 7).toString(16).padStart(40, '0')
        return new model.EscrowMovement({
            id: `${String(100 + i).padStart(10, '0')}-abcde-${String(i).padStart(6, '0')}`,
            kind: kinds[i % kinds.length],
            account: new model.EscrowAccount({ id: `${payer}-${TOKEN}` }),
            payer,
            token: new model.Token({ id: TOKEN }),
            amount: 10n ** 30n + BigInt(i),
            availableAfter: BigInt(i) * 7n,
            lockedAfter: 0n,
            counterparty: i % 3 ? null : '0x' + 'c'.repeat(40),
            batch: i % 4 ? null : new model.Batch({ id: '0x' + String(i).padStart(64, '0') }),
            blockNumber: 100 + i,
            blockHash: '0x' + String(i % 10).repeat(64),
            logIndex: i,
            txHash: '0x' + 'ab'.repeat(32),
            txFrom: i % 5 ? '0x' + 'f'.repeat(40) : null,
            timestamp: at(i),
        })
    })
}

function protocolEvents(n: number): model.ProtocolEventRow[] {
    const odd = ['tab\there', 'new\nline', 'carriage\r\nreturn', 'back\\tslash-t', 'quote"s and \\backslash\\', "it's", 'ünïcødé ✓', '{"json":"in a string"}', 'NULL', '\\N', '']
    return Array.from({ length: n }, (_, i) => {
        return new model.ProtocolEventRow({
            id: `${String(100 + i).padStart(10, '0')}-abcde-${String(i).padStart(6, '0')}`,
            contract: model.ProtocolContract.ESCROW,
            contractAddress: '0x' + 'e'.repeat(40),
            name: i % 2 ? 'Deposited' : 'DataURIUpdated',
            args: { payer: '0x' + '1'.repeat(40), amount: String(10n ** 25n + BigInt(i)), text: odd[i % odd.length], list: [1, 'two', { three: null }], flag: i % 2 === 0 },
            blockNumber: 100 + i,
            blockHash: '0x' + '9'.repeat(64),
            logIndex: i,
            txHash: '0x' + 'ab'.repeat(32),
            txFrom: i % 5 ? '0x' + 'f'.repeat(40) : undefined,
            timestamp: at(i),
        })
    })
}

function tokens(): model.Token[] {
    return [0, 1, 2].map(
        (i) =>
            new model.Token({
                id: '0x' + String(i + 1).repeat(40),
                symbol: ['USDC', 'weird "sym"\t', ''][i],
                decimals: 6 + i,
                minDeposit: 0n,
                maxDeposit: 10n ** 40n,
                allowed: i !== 1,
                allowedAt: i === 2 ? null : at(i),
                allowedAtBlock: i === 2 ? null : i,
                disallowedAt: null,
                updatedAt: at(10 + i),
                updatedAtBlock: 10 + i,
                escrowHeld: BigInt(i) * 10n ** 20n,
                escrowLocked: 1n,
                totalDeposited: 2n,
                totalWithdrawn: 3n,
                totalCommitted: 4n,
                totalFinalized: 5n,
                totalRejected: 6n,
                totalClaimed: 7n,
                totalFees: 8n,
                depositCount: i,
                withdrawalCount: 0,
                batchCount: 0,
                claimCount: 0,
            }),
    )
}

describe('bulk writes equal typeorm-store writes', () => {
    test('insert: movements (relations, nulls, bigints, dates) and protocol events (JSON with odd strings)', async () => {
        const tables = ['escrow_movement', 'protocol_event_row']
        // (more protocol events than one bulk statement takes)
        const viaStore = await inTx(tables, async (store) => {
            await store.insert(movements(2500))
            await store.insert(protocolEvents(25_100))
        })
        const viaBulk = await inTx(tables, async (store) => {
            await bulkInsert(store, movements(2500))
            await bulkInsert(store, protocolEvents(25_100))
        })
        // finalized blocks (no change tracker) with the raw connection: the bulk path is COPY
        await inTx([], async (store) => {
            const stmts = BulkSession.of(store)!.prepareInsert(movements(3))!
            expect(stmts.map((x) => x.sql.split(' (')[0])).toEqual(['COPY "escrow_movement"'])
            expect(stmts[0].copyData!.split('\n')).toHaveLength(4)
        })
        expect(viaStore.escrow_movement).toHaveLength(2500)
        expect(viaStore.protocol_event_row).toHaveLength(25_100)
        expect(viaBulk).toEqual(viaStore)
    })

    test('insert: integer array columns (a swap\'s trace address) through COPY only', async () => {
        const swaps = () =>
            [[], [0], [1, 0, 12], [3, 2147483647]].map(
                (traceAddress, i) =>
                    new model.Swap({
                        id: `0000000100-00000${i}-t${traceAddress.join('.')}`,
                        block: new model.Block({ id: '0000000100' }),
                        blockNumber: 100,
                        timestamp: at(i),
                        validator: i % 2 ? null : undefined,
                        transactionHash: '0x' + 'ab'.repeat(32),
                        transactionPosition: i,
                        traceAddress,
                        pool: '0x' + 'c'.repeat(40),
                        protocol: 'uniswap-v2',
                        from: '0x' + 'd'.repeat(40),
                        recipient: '0x' + 'e'.repeat(40),
                        tokenIn: '0x' + '1'.repeat(40),
                        amountIn: 10n ** 30n + BigInt(i),
                        tokenOut: '0x' + '2'.repeat(40),
                        amountOut: BigInt(i),
                        error: i === 3 ? 'reverted \t "inside"' : null,
                        arbitrage: null,
                    }),
            )
        const viaStore = await inTx(['swap'], async (store) => store.insert(swaps()))
        const viaBulk = await inTx(['swap'], async (store) => {
            const session = BulkSession.of(store)!
            const stmts = session.prepareInsert(swaps())!
            expect(stmts.map((x) => x.sql.split(' (')[0])).toEqual(['COPY "swap"'])
            // unnest cannot carry them: upserts go to the store
            expect(session.prepareUpsert(swaps())).toBeNull()
            await bulkInsert(store, swaps())
        })
        expect(viaStore.swap).toHaveLength(4)
        expect((viaStore.swap as any[]).map((r) => r.trace_address)).toEqual([[], [0], [1, 0, 12], [3, 2147483647]])
        expect(viaBulk).toEqual(viaStore)
    })

    test('upsert: new and existing rows, booleans and nullable dates; columns undefined in all or in some rows', async () => {
        const tables = ['token']
        const scenario = (write: (store: Store, rows: model.Token[]) => Promise<void>) =>
            inTx(tables, async (store) => {
                await store.insert(tokens().slice(0, 2))
                const next = tokens().map((t) => Object.assign(t, { escrowHeld: t.escrowHeld + 1n, symbol: t.symbol + '!' }))
                await write(store, next)
                // undefined in every row: the stored value is kept
                const partial = tokens().map((t) => Object.assign(t, { disallowedAt: undefined, allowedAtBlock: undefined, depositCount: 42 }))
                await write(store, partial)
                // undefined in some rows only (nullable columns: NULL for the inserted row, like typeorm's DEFAULT)
                const mixed = tokens().map((t, i) =>
                    Object.assign(t, { allowedAtBlock: i === 0 ? undefined : 18, allowedAt: i === 1 ? undefined : at(99), disallowedAt: i === 2 ? at(7) : undefined }),
                )
                await write(store, mixed)
            })
        const viaStore = await scenario((store, rows) => store.upsert(rows))
        const viaBulk = await scenario((store, rows) => bulkUpsert(store, rows))
        expect(viaStore.token).toHaveLength(3)
        expect(viaBulk).toEqual(viaStore)
    })

    test('upsert: a relation undefined in some rows (kept as stored there), null in others', async () => {
        const tables = ['escrow_movement']
        const scenario = (write: (store: Store, rows: model.EscrowMovement[]) => Promise<void>) =>
            inTx(tables, async (store) => {
                await store.insert(movements(40))
                const next = movements(60).map((m, i) => Object.assign(m, { batch: i % 3 === 0 ? undefined : i % 3 === 1 ? null : m.batch, amount: m.amount + 1n }))
                await write(store, next)
            })
        const viaStore = await scenario((store, rows) => store.upsert(rows))
        const viaBulk = await scenario((store, rows) => bulkUpsert(store, rows))
        expect(viaStore.escrow_movement).toHaveLength(60)
        expect(viaBulk).toEqual(viaStore)
    })

    test('rollups: merged by Postgres like RollupBuffer.merge (counters added, snapshots set only where set)', async () => {
        const tables = ['token_day_stat']
        const build = () => {
            const r = new RollupBuffer(model.TokenDayStat, TOKEN_SNAPSHOT_FIELDS)
            const init = (id: string, day: number) => () =>
                new model.TokenDayStat({
                    id,
                    token: new model.Token({ id: TOKEN }),
                    date: `2026-03-${String(day).padStart(2, '0')}`,
                    day: new Date(Date.UTC(2026, 2, day)),
                    ...zeroTokenCounters(),
                    escrowHeldEnd: 0n,
                    escrowLockedEnd: 0n,
                })
            for (let d = 1; d <= 4; d++) {
                const id = `${TOKEN}-2026-03-0${d}`
                r.add(id, init(id, d), 'depositCount', d)
                r.add(id, init(id, d), 'depositAmount', 10n ** 24n * BigInt(d))
                // days 1 and 3 set the snapshot, 2 and 4 do not
                if (d % 2) r.setSnapshot(id, init(id, d), { escrowHeldEnd: 1000n + BigInt(d), escrowLockedEnd: 7n })
            }
            return { r, init }
        }
        const stored = () => {
            // days 1 and 2 already stored
            const { init } = build()
            return [1, 2].map((d) => Object.assign(init(`${TOKEN}-2026-03-0${d}`, d)(), { depositCount: 5, depositAmount: 5n, escrowHeldEnd: 55n, escrowLockedEnd: 66n, claimCount: 3 }))
        }
        const viaMerge = await inTx(tables, async (store) => {
            await store.insert(stored())
            const { r } = build()
            await store.upsert(await r.loadAndMerge(store))
        })
        const viaBulk = await inTx(tables, async (store) => {
            await store.insert(stored())
            const { r } = build()
            expect(await bulkMergeRollup(store, r.deltaRows(), r.snapshotFields, (id) => r.snapshotsOf(id))).toBe(true)
        })
        expect(viaMerge.token_day_stat).toHaveLength(4)
        expect(viaBulk).toEqual(viaMerge)
    })

    test('hot blocks: the change tracker records the same changes, and a rollback restores the same state', async () => {
        const tables = ['token', 'escrow_movement']
        const scenario = async (bulk: boolean) => {
            let log: unknown[] = []
            let tracked: Record<string, unknown[]> = {}
            const rolledBack = await inTx(tables, async (store, em) => {
                await em.query(`CREATE SCHEMA IF NOT EXISTS squid_processor`)
                await em.query(`CREATE TABLE IF NOT EXISTS squid_processor.hot_block (height int4 primary key, hash text not null)`)
                await em.query(
                    `CREATE TABLE IF NOT EXISTS squid_processor.hot_change_log (block_height int4 not null references squid_processor.hot_block on delete cascade, ` +
                        `index int4 not null, change jsonb not null, PRIMARY KEY (block_height, index))`,
                )
                await store.insert(tokens().slice(0, 1))
                await em.query(`INSERT INTO squid_processor.hot_block VALUES (7, '0x07')`)
                const hot = new Store(() => em, new ChangeTracker(em, 'squid_processor', 7))
                const next = tokens().map((t) => Object.assign(t, { escrowHeld: t.escrowHeld + 5n }))
                if (bulk) {
                    await bulkUpsert(hot, next)
                    await bulkInsert(hot, movements(30))
                } else {
                    await hot.upsert(next)
                    await hot.insert(movements(30))
                }
                log = JSON.parse(JSON.stringify(await em.query(`SELECT block_height, index, change FROM squid_processor.hot_change_log ORDER BY index`)))
                for (const t of tables) tracked[t] = JSON.parse(JSON.stringify(await em.query(`SELECT * FROM "${t}" ORDER BY id`)))
                await rollbackBlock('squid_processor', em, 7)
            })
            return { log, tracked, rolledBack }
        }
        const viaStore = await scenario(false)
        const viaBulk = await scenario(true)
        expect(viaStore.log).toHaveLength(33) // 1 update + 2 inserts (tokens), 30 inserts (movements)
        expect(viaStore.tracked.token).toHaveLength(3)
        expect(viaStore.rolledBack.token).toHaveLength(1)
        expect(viaStore.rolledBack.escrow_movement).toHaveLength(0)
        expect(viaBulk).toEqual(viaStore)
    })

    test('a store without the expected internals is left to typeorm-store', async () => {
        const calls: string[] = []
        const fake = {
            changes: {},
            em: () => {
                throw new Error('bulk path must not be taken')
            },
            insert: async () => void calls.push('insert'),
            upsert: async () => void calls.push('upsert'),
        } as unknown as Store
        await bulkInsert(fake, movements(2))
        await bulkUpsert(fake, tokens())
        expect(await bulkMergeRollup(fake, tokens(), [], () => undefined)).toBe(false)
        expect(calls).toEqual(['insert', 'upsert'])
    })
})

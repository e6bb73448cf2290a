/**
 * Fault: the processor is SIGKILLed at random moments (seeded) during a backfill that runs while the chain keeps
 * growing, and restarted each time on the same database. Afterwards the index must reconcile with the chain at 0
 * mismatches and be row-for-row identical to a fresh, never-interrupted index of the same chain: nothing lost,
 * nothing duplicated, whatever the kill interrupted (startup, migrations, a handler, a commit, hot blocks).
 *
 * FAULT_SEED picks another schedule; FAULT_LOGS=1 echoes the stack's log lines; FAULT_KEEP=1 keeps the temp dir.
 */
import { rpcCall } from '../../src/stack/anvil'
import { expectReconciled, expectSameAsFreshIndex, FaultStack, freezeChain, rng, simulate, sleep, startFaultStack, stopProcessor, waitCaughtUp } from './support/stack'
import { indexedHead } from '../processor/support/e2e'

jest.setTimeout(300_000)

const SEED = Number(process.env.FAULT_SEED ?? 20261122)
// the killed processors backfill the way a long backfill does (the ~1,500-block backlog is below the default lag
// of 2,000): indexes deferred, the event tables written through the side connection (src/indexer/write/
// side-writes.ts); the fresh index compared with at the end does neither
const KILLED_ENV = { DEFER_INDEXES_MIN_LAG: '100' }
let s: FaultStack

beforeAll(async () => {
    s = await startFaultStack('kill')
})

afterAll(async () => {
    await s?.close()
})

test('SIGKILL at random points during a backfill, restart, repeat: the index equals an undisturbed one', async () => {
    const rand = rng(SEED)
    // history to backfill: settlement activity, then a stretch of empty blocks, then more activity
    await simulate(s, 12_000, 3)
    await rpcCall(s.anvil.url, 'anvil_mine', ['0x' + (1500).toString(16)])
    let simDone = false
    const sim = simulate(s, 25_000, 4).finally(() => (simDone = true))

    const kills: { afterMs: number; indexed: number | null; exitSignal: string | null }[] = []
    const chainAtStart = Number(BigInt(await rpcCall<string>(s.anvil.url, 'eth_blockNumber')))
    let p = await s.launch('p0', KILLED_ENV)
    for (let k = 0; k < 6; k++) {
        let afterMs: number
        let idx: { height: number } | undefined
        if (k === 0) {
            // the first kill lands in the backfill proper, at a random height: the processor backfills the empty
            // stretch in commits of up to BATCH_MAX_BLOCKS (500) blocks within about a second, too fast for a
            // random delay, so wait for a random target height (at least 600 blocks below the head)
            const target = Math.floor(1 + rand() * (chainAtStart - 600))
            const t0 = Date.now()
            for (; Date.now() - t0 < 60_000; await sleep(5)) {
                idx = await indexedHead(s.dbUrl).catch(() => undefined)
                if (idx && idx.height >= target) break
            }
            afterMs = Date.now() - t0
        } else {
            afterMs = Math.round(300 + rand() * 2_700)
            await sleep(afterMs)
            idx = await indexedHead(s.dbUrl).catch(() => undefined)
        }
        // On a loaded machine a restarted processor may not have indexed anything yet by then: from the third
        // kill on, wait (bounded) until it has moved past the previous kill, so kills land at different heights.
        const previous = kills.length ? kills[kills.length - 1].indexed : null
        for (let waited = 0; k >= 2 && (idx?.height ?? null) === previous && waited < 30_000; waited += 100) {
            await sleep(100)
            idx = await indexedHead(s.dbUrl).catch(() => undefined)
        }
        // the process may have crashed by itself: that must not happen either
        expect({ kill: k, exitCode: p.proc.exitCode }).toEqual({ kill: k, exitCode: null })
        await stopProcessor(p, 'SIGKILL')
        kills.push({ afterMs, indexed: idx?.height ?? null, exitSignal: p.proc.signalCode })
        p = await s.launch(`p${k + 1}`, KILLED_ENV)
    }
    await sim
    expect(simDone).toBe(true)
    await freezeChain(s)
    const head = await waitCaughtUp(s.dbUrl, s.anvil.url, 120_000, p)
    await stopProcessor(p)

    // every kill was a real SIGKILL of a live process
    expect(kills.every((k) => k.exitSignal === 'SIGKILL')).toBe(true)
    // the kills landed at different heights, some in the middle of the backfill
    const why = JSON.stringify({ head: head.height, kills })
    expect({ distinctHeights: new Set(kills.map((k) => k.indexed)).size > 2, why }).toEqual({ distinctHeights: true, why })
    expect({ midBackfill: kills.some((k) => k.indexed !== null && k.indexed < head.height - 100), why }).toEqual({ midBackfill: true, why })

    const r = await expectReconciled(s)
    expect(r.checked).toBeGreaterThan(20)
    const eq = await expectSameAsFreshIndex(s)
    console.log(
        `faults/kill: seed ${SEED}; kills ${JSON.stringify(kills)}; head ${head.height}; reconcile ${r.checked} checked, 0 mismatches; ` +
            `equal to a fresh index over ${eq.tables} tables, ${eq.rows} rows`,
    )
})

/**
 * The usage pipeline on the real stack: anvil + deployment, the compiled processor indexing the registry into
 * embedded Postgres (participants registered and given terms on chain), submitUsage through the GraphQL schema with
 * the project's auth checker, the batcher committing through the commitBatch path, and a payout claimed to the
 * publisher's registered payout address.
 */
import * as path from 'path'
import { spawn } from 'child_process'
import { Contract, Interface } from 'ethers'
import { parse, subscribe } from 'graphql'
import { usageBatchFromEnv } from '../../src/config'
import { abiOf } from '../../src/contracts'
import { commitBatchWith } from '../../src/server/chain/commit-batch'
import { configureMutations, mutationDeps } from '../../src/server/resolvers/mutation.resolver'
import { batchLeaves, closeBatch } from '../../src/usage/batch-store'
import { UsageFeed } from '../../src/usage/feed'
import { advanceTime, dataOf, fundPayer } from './harness'
import {
    BATCHES, batcher, chain, CLAIM, deploymentsFile, expectReconciled, expectedTotal, FINALIZE, gql, operatorNonce, payer, payoutA, pg, pool, PRICE_A, PRICE_B,
    pub, RECORDS, schema, SUBMIT, send, settings, settlement, submit, token, unknownPublisher, useUsageStack, waitIndexed,
} from './support/usage-stack'

jest.setTimeout(300_000)
useUsageStack()

describe('submitUsage', () => {
    test('per-record codes: unknown, no consent, deactivated, malformed, repeated in the call; the rest priced from indexed terms', async () => {
        const r = await submit([
            { publisher: pub.a.address, units: '1000', usageId: 'u-1' },
            { publisher: unknownPublisher, units: '10', usageId: 'u-unknown' },
            { publisher: pub.noConsent.address, units: '10', usageId: 'u-noconsent' },
            { publisher: pub.inactive.address, units: '10', usageId: 'u-inactive' },
            { publisher: pub.b.address, units: '-3', usageId: 'u-bad' },
            { publisher: pub.b.address, units: '7', usageId: 'u-2' },
            { publisher: pub.b.address, units: '7', usageId: 'u-2' },
        ])
        expect(r.records.map((x: any) => x.code ?? 'OK')).toEqual(['OK', 'PUBLISHER_UNKNOWN', 'NO_CONSENT', 'PUBLISHER_INACTIVE', 'BAD_RECORD', 'OK', 'DUPLICATE_IN_REQUEST'])
        expect(r.records[0]).toMatchObject({ pricePerThousand: PRICE_A.toString(), payee: payoutA })
        expect(r.records[5]).toMatchObject({ pricePerThousand: PRICE_B.toString(), payee: pub.b.address.toLowerCase() })
        expect([r.accepted, r.rejected]).toEqual([2, 5])
        const rows = dataOf(await gql(RECORDS, { where: { publisher: pub.noConsent.address } }), 'usageRecords')
        expect(rows).toEqual([]) // nothing queued for the publisher without consent
    })

    test('retries count once; the same usageId with other content is IDEMPOTENCY_CONFLICT; no key → refused', async () => {
        const again = await Promise.all([1, 2, 3].map(() => submit([{ publisher: pub.a.address, units: '1000', usageId: 'u-1' }])))
        for (const a of again) expect(a.records[0]).toMatchObject({ accepted: true, duplicate: true })
        const conflict = await submit([{ publisher: pub.a.address, units: '999', usageId: 'u-1' }])
        expect(conflict.records[0]).toMatchObject({ accepted: false, code: 'IDEMPOTENCY_CONFLICT' })
        const n = await pool.query(`SELECT count(*)::int AS n FROM api.usage_records WHERE usage_id = 'u-1'`)
        expect(n.rows[0].n).toBe(1)
        const notPayer = await gql(SUBMIT, { input: { payer: pub.a.address, token, records: [{ publisher: pub.a.address, units: '1', usageId: 'x' }] } })
        expect(notPayer.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'payer' })
        const notToken = await gql(SUBMIT, { input: { payer: payer.address, token: payoutA, records: [{ publisher: pub.a.address, units: '1', usageId: 'x' }] } })
        expect(notToken.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'token' })
        const relayer = await gql(SUBMIT, { input: { payer: payer.address, token, records: [{ publisher: pub.a.address, units: '1', usageId: 'x' }] } }, 'relayer')
        expect(relayer.errors?.[0].extensions?.code).toBe('FORBIDDEN')
    })
})

describe('batcher', () => {
    test('many calls with retries close batches by size, then the remainder by age; amounts = Σ units × price per publisher', async () => {
        // 2 queued already (u-1, u-2); 11 more in many calls, each sent twice (a bot retrying)
        const calls = Array.from({ length: 11 }, (_, i) => [{ publisher: i % 2 ? pub.a.address : pub.b.address, units: String(333 + i * 17), usageId: `s-${i}` }])
        await Promise.all(calls.flatMap((c) => [submit(c), submit(c)]))
        const b = batcher()
        await b.tick()
        let batches = dataOf(await gql(BATCHES, {}), 'usageBatches')
        expect(batches.map((x: any) => [x.closedBy, x.recordCount, x.state])).toEqual([
            ['size', 5, 'committed'],
            ['size', 5, 'committed'],
        ])
        await b.stop()
        const aged = batcher({ ...settings, maxAgeMs: 1 })
        await aged.tick()
        await aged.stop()
        batches = dataOf(await gql(BATCHES, {}), 'usageBatches')
        expect(batches.map((x: any) => [x.closedBy, x.recordCount])).toEqual([['size', 5], ['size', 5], ['age', 3]])
        for (const batch of batches) {
            expect(batch.state).toBe('committed')
            const recs = dataOf(await gql(RECORDS, { where: { batchKey: batch.batchKey } }), 'usageRecords')
            expect(recs.every((r: any) => r.state === 'batched' && r.batchId === batch.batchId)).toBe(true)
            const onChain = await settlement.getBatch(batch.batchId)
            expect(onChain.totalAmount).toBe(expectedTotal(recs))
            expect(batch.totalAmount).toBe(onChain.totalAmount.toString())
        }
        const all = dataOf(await gql(RECORDS, { limit: 1000 }), 'usageRecords')
        expect(all).toHaveLength(13) // every record once, none left queued
    })

    test('a crash after close, and after the chain commit, resumes without loss or a second transaction', async () => {
        await submit(Array.from({ length: 3 }, (_, i) => ({ publisher: pub.a.address, units: String(100 + i), usageId: `c-${i}` })))
        // crash 1: closed (records batching) but never committed
        const key = (await closeBatch(pool, payer.address.toLowerCase(), token, 5, 'age'))!
        // crash 2 for a second batch: committed on chain by the old leader, which died before marking it
        await submit(Array.from({ length: 2 }, (_, i) => ({ publisher: pub.b.address, units: String(200 + i), usageId: `d-${i}` })))
        const key2 = (await closeBatch(pool, payer.address.toLowerCase(), token, 5, 'age'))!
        const sent = await commitBatchWith(mutationDeps(pool, 'operator'), {
            payer: payer.address.toLowerCase(), token, idempotencyKey: `usage:${key2}`, dataURI: `usage-batch:${key2}`, records: await batchLeaves(pool, key2), recordCount: 2,
        })
        expect(sent.status).toBe('CONFIRMED')
        const nonce = await operatorNonce()
        const [first, second] = [batcher(), batcher()] // two replicas: one leader
        await Promise.all([first.tick(), second.tick()])
        expect([first.isLeader, second.isLeader].filter(Boolean)).toHaveLength(1)
        await Promise.all([first.stop(), second.stop()])
        expect(await operatorNonce()).toBe(nonce + 1) // batch 1 committed once; batch 2 not sent again
        const rows = dataOf(await gql(BATCHES, { where: { state: 'committed' } }), 'usageBatches')
        const b1 = rows.find((x: any) => x.batchKey === key)
        const b2 = rows.find((x: any) => x.batchKey === key2)
        expect(b2.batchId).toBe(sent.batchId)
        expect((await settlement.getBatch(b1.batchId)).totalAmount).toBe(((100n + 101n + 102n) * PRICE_A) / 1000n)
    })

    test('a payer short of escrow: the batch waits with the reason visible, and commits after a deposit', async () => {
        const poor = await fundPayer(chain, 15, 1_000_000n)
        await waitIndexed(`SELECT 1 FROM participant WHERE id = $1 AND active`, [poor.address.toLowerCase()])
        await submit([{ publisher: pub.b.address, units: '1000000', usageId: 'p-1' }], poor.address)
        const b = batcher({ ...settings, maxAgeMs: 1 })
        await b.tick()
        const [waiting] = dataOf(await gql(BATCHES, { where: { payer: poor.address } }), 'usageBatches')
        expect(waiting.state).toBe('waiting')
        expect(waiting.reason).toMatch(/^INSUFFICIENT_ESCROW/)
        const [rec] = dataOf(await gql(RECORDS, { where: { usageIds: ['p-1'] } }), 'usageRecords')
        expect(rec).toMatchObject({ state: 'batching', reason: waiting.reason })
        await fundPayer(chain, 15, 10n ** 9n)
        await b.tick()
        await b.stop()
        const [done] = dataOf(await gql(BATCHES, { where: { payer: poor.address } }), 'usageBatches')
        expect(done.state).toBe('committed')
        expect(done.totalAmount).toBe(((1_000_000n * PRICE_B) / 1000n).toString())
    })

    test('usageBatched tells a publisher when its records were batched (via NOTIFY, any replica)', async () => {
        const feed = new UsageFeed(pool, pg.url)
        await feed.start()
        try {
            const contextValue = { db: pool, caller: { keyId: 1, role: 'read-only' }, openreader: undefined, requestId: 'sub', services: { usageFeed: feed } }
            const document = parse(`subscription($p: String) { usageBatched(publisher: $p) { publisher payee batchId recordCount units amount } }`)
            const anonymous: any = await subscribe({ schema, document, variableValues: { p: pub.a.address }, contextValue: { ...contextValue, caller: undefined } })
            expect(anonymous.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED')
            const it: any = await subscribe({ schema, document, variableValues: { p: pub.a.address }, contextValue })
            expect(it.errors).toBeUndefined()
            const next = it.next()
            await submit([
                { publisher: pub.b.address, units: '400', usageId: 'n-b' },
                { publisher: pub.a.address, units: '700', usageId: 'n-a1' },
                { publisher: pub.a.address, units: '701', usageId: 'n-a2' },
            ])
            const b = batcher({ ...settings, maxAgeMs: 1 })
            await b.tick()
            await b.stop()
            const ev = (await next).value.data.usageBatched
            const [rec] = dataOf(await gql(RECORDS, { where: { usageIds: ['n-a1'] } }), 'usageRecords')
            expect(ev).toEqual({ publisher: pub.a.address.toLowerCase(), payee: payoutA, batchId: rec.batchId, recordCount: 2, units: '1401', amount: ((1401n * PRICE_A) / 1000n).toString() })
            await it.return()
        } finally {
            await feed.stop()
        }
    })

    test('the payee claims with the proof and the tokens arrive at the registered payout address', async () => {
        const [batch] = dataOf(await gql(BATCHES, { where: { state: 'committed' } }), 'usageBatches')
        await advanceTime(chain.provider, 60)
        expect(dataOf(await gql(FINALIZE, { id: batch.batchId }), 'finalizeBatch').status).toBe('CONFIRMED')
        const usdc = new Contract(token, abiOf('MockUSDC'), chain.provider)
        const [before, ownBefore] = await Promise.all([usdc.balanceOf(payoutA), usdc.balanceOf(pub.a.address)])
        const claim = dataOf(await gql(CLAIM, { b: batch.batchId, p: [payoutA] }, 'relayer'), 'claimPayouts')
        expect(claim.status).toBe('CONFIRMED')
        const recs = dataOf(await gql(RECORDS, { where: { batchKey: batch.batchKey, publisher: pub.a.address } }), 'usageRecords')
        const owed = expectedTotal(recs)
        expect(BigInt(claim.claimed[0].amount)).toBe(owed)
        const feeBps = BigInt(await new Contract(chain.deployment.contracts.Distributor, abiOf('Distributor'), chain.provider).feeBps())
        expect((await usdc.balanceOf(payoutA)) - before).toBe(owed - (owed * feeBps) / 10_000n)
        expect(await usdc.balanceOf(pub.a.address)).toBe(ownBefore)
    })
})

describe('kills', () => {
    test('batcher processes SIGKILLed at random moments lose and double nothing', async () => {
        const ids = Array.from({ length: 21 }, (_, i) => `k-${i}`)
        await submit(ids.map((usageId, i) => ({ publisher: pub.a.address, units: String(1000 + i * 7), usageId })))
        const fromBlock = await chain.provider.getBlockNumber()
        const script = path.join(__dirname, 'support/usage-batcher-child.js')
        for (const delay of [100, 350, 600, 900, 1300]) {
            const child = spawn(process.execPath, [script], {
                env: { ...process.env, DB_URL: pg.url, RPC_URL: chain.rpcUrl, DEPLOYMENTS_FILE: deploymentsFile, BATCH_MAX_RECORDS: '3' },
                stdio: ['ignore', 'pipe', 'pipe'],
            })
            const exited = new Promise((res) => child.once('exit', res))
            await new Promise<void>((res, rej) => {
                child.stdout!.on('data', (d) => String(d).includes('started') && res())
                child.once('exit', (code) => rej(new Error(`batcher child exited ${code}`)))
            })
            await new Promise((res) => setTimeout(res, delay))
            child.kill('SIGKILL')
            await exited
        }
        // the killed batchers did part of the work (so the recovery below resumes, not starts)
        const progress = await pool.query(`SELECT state, count(*)::int AS n FROM api.usage_records WHERE usage_id LIKE 'k-%' GROUP BY state`)
        if (process.env.USAGE_TEST_LOG) console.log(progress.rows)
        expect(progress.rows.filter((r) => r.state !== 'queued').reduce((s, r) => s + r.n, 0)).toBeGreaterThan(0)
        configureMutations({ chain: settlement, confirmTimeoutMs: 20_000, idempotency: { leaseMs: 1000 }, log: () => undefined })
        const b = batcher({ ...settings, maxRecords: 3, maxAgeMs: 1 })
        const deadline = Date.now() + 60_000
        let recs: any[] = []
        while (Date.now() < deadline) {
            await b.tick()
            recs = dataOf(await gql(RECORDS, { where: { usageIds: ids } }), 'usageRecords')
            if (recs.every((r: any) => r.state === 'batched')) break
            await new Promise((res) => setTimeout(res, 300))
        }
        await b.stop()
        expect(recs.map((r: any) => r.state)).toEqual(ids.map(() => 'batched'))
        const batchIds = [...new Set(recs.map((r: any) => r.batchId))]
        const iface = new Interface(abiOf('BatchLedger'))
        const logs = await chain.provider.getLogs({ address: chain.deployment.contracts.BatchLedger, fromBlock, toBlock: 'latest', topics: [iface.getEvent('BatchCommitted')!.topicHash] })
        const committed = logs.map((l) => String(iface.parseLog(l)!.args.batchId).toLowerCase())
        expect(committed.sort()).toEqual(batchIds.sort()) // each batch on chain exactly once, no other commit
        let onChain = 0n
        for (const id of batchIds) onChain += (await settlement.getBatch(id)).totalAmount
        // every record paid exactly once: Σ of the batches = Σ per batch of the floored sums (one publisher, one price)
        const perBatch = new Map<string, any[]>()
        for (const r of recs) perBatch.set(r.batchId, [...(perBatch.get(r.batchId) ?? []), r])
        expect(onChain).toBe([...perBatch.values()].reduce((s, rs) => s + expectedTotal(rs), 0n))
    })
})

describe('terms in force', () => {
    test('a terms change applies to records received after it was indexed; queued records keep their price', async () => {
        await submit([{ publisher: pub.b.address, units: '1000', usageId: 't-before' }])
        await send(pub.b, 'ParticipantRegistry', 'setPublisherTerms', [pub.b.address, 4000n, true])
        await waitIndexed(`SELECT 1 FROM participant WHERE id = $1 AND price_per_thousand = 4000`, [pub.b.address.toLowerCase()])
        const after = await submit([{ publisher: pub.b.address, units: '1000', usageId: 't-after' }])
        expect(after.records[0].pricePerThousand).toBe('4000')
        await send(pub.b, 'ParticipantRegistry', 'setPublisherTerms', [pub.b.address, 4000n, false])
        await waitIndexed(`SELECT 1 FROM participant WHERE id = $1 AND NOT consent`, [pub.b.address.toLowerCase()])
        const withdrawn = await submit([
            { publisher: pub.b.address, units: '1000', usageId: 't-withdrawn' },
            { publisher: pub.b.address, units: '1000', usageId: 't-before' }, // a retry of a record accepted earlier
        ])
        expect(withdrawn.records.map((r: any) => r.code ?? (r.duplicate ? 'DUPLICATE' : 'OK'))).toEqual(['NO_CONSENT', 'DUPLICATE'])
        const b = batcher({ ...settings, maxAgeMs: 1 })
        await b.tick()
        await b.stop()
        const recs = dataOf(await gql(RECORDS, { where: { usageIds: ['t-before', 't-after'] } }), 'usageRecords')
        expect(recs.map((r: any) => [r.usageId, r.pricePerThousand, r.state])).toEqual([
            ['t-before', PRICE_B.toString(), 'batched'],
            ['t-after', '4000', 'batched'],
        ])
        const [batch] = dataOf(await gql(BATCHES, { where: { batchKey: recs[0].batchKey } }), 'usageBatches')
        expect(batch.totalAmount).toBe((PRICE_B + 4000n).toString())
    })

    test('batch settings come from env and refuse nonsense', () => {
        expect(usageBatchFromEnv({ BATCH_MAX_RECORDS: '50', BATCH_MAX_AGE_MS: '2000' })).toMatchObject({ maxRecords: 50, maxAgeMs: 2000, enabled: true })
        expect(() => usageBatchFromEnv({ BATCH_MAX_RECORDS: '0' })).toThrow(/BATCH_MAX_RECORDS/)
        expect(() => usageBatchFromEnv({ BATCH_MAX_AGE_MS: '1s' })).toThrow(/BATCH_MAX_AGE_MS/)
    })
})

describe('reconcile', () => {
    test('after the batches are committed, finalised and claimed, the index matches the chain: 0 mismatches', async () => {
        const r = await expectReconciled()
        expect(r.mismatches).toEqual([])
        expect(r.usageBatches).toBeGreaterThanOrEqual(8) // the batches of every test above, each compared with getBatch
        expect(r.checked).toBeGreaterThan(r.usageBatches)
    })
})

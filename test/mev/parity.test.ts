/**
 * Parity with Flashbots' mev-inspect-py on the real mainnet blocks in ../shared/fixtures/mev-inspect/:
 *  - every expectation of its test suite (expect/<block>.json) for swaps, arbitrages, JIT liquidity and
 *    miner payments holds (liquidation / NFT / punk expectations belong to those categories' suites);
 *  - against its own output (reference/<block>.json): recall and precision on swaps, arbitrages and
 *    sandwiches, miner payments field by field; every difference is listed in parity-differences.ts
 *    with its reason, and that reason's evidence is checked on the block's traces.
 */
import * as fs from 'fs'
import * as path from 'path'
import { blockInputFromText, classifyBlock, parseBlockJson } from '../../src/mev/classify'
import { Arbitrage, BlockClassification, BlockInput, Swap } from '../../src/mev/types'
import { KNOWN_DIFFERENCES, KnownDifference } from './parity-differences'

const DIR = path.resolve(__dirname, '../../../shared/fixtures/mev-inspect')
if (!fs.existsSync(path.join(DIR, 'reference'))) {
    throw new Error(`mev-inspect fixtures not found in ${DIR} (the shared/ folder must sit beside the project root)`)
}
const BLOCKS = fs.readdirSync(DIR).filter((f) => /^\d+\.json$/.test(f)).map((f) => Number(f.slice(0, -5))).sort()

interface Loaded {
    block: number
    input: BlockInput
    ours: BlockClassification
    ref: any
    expect: any | null
}
const loaded = new Map<number, Loaded>()
const get = (b: number): Loaded => {
    let l = loaded.get(b)
    if (!l) {
        const input = blockInputFromText(fs.readFileSync(path.join(DIR, `${b}.json`), 'utf8'))
        const expectFile = path.join(DIR, 'expect', `${b}.json`)
        l = {
            block: b,
            input,
            ours: classifyBlock(input),
            ref: parseBlockJson(fs.readFileSync(path.join(DIR, 'reference', `${b}.json`), 'utf8')),
            expect: fs.existsSync(expectFile) ? JSON.parse(fs.readFileSync(expectFile, 'utf8')).expect : null,
        }
        loaded.set(b, l)
    }
    return l
}

const key = (tx: string, trace: number[]) => `${tx.toLowerCase()}@${trace.join('.')}`
const diffKey = (d: Omit<KnownDifference, 'reason'>) => `${d.block}|${d.kind}|${d.tx}|${d.trace ? d.trace.join('.') : '-'}`
const KNOWN = new Map(KNOWN_DIFFERENCES.map((d) => [diffKey(d), d]))

/** mev-inspect-py swap (snake_case) -> our field names; its protocol "0x" is the enum zero_ex. */
function refSwap(s: any): Partial<Swap> {
    return {
        transactionHash: s.transaction_hash,
        transactionPosition: Number(s.transaction_position),
        traceAddress: s.trace_address,
        contractAddress: s.contract_address.toLowerCase(),
        fromAddress: s.from_address.toLowerCase(),
        recipientAddress: s.to_address.toLowerCase(),
        tokenInAddress: s.token_in_address.toLowerCase(),
        tokenInAmount: String(s.token_in_amount),
        tokenOutAddress: s.token_out_address.toLowerCase(),
        tokenOutAmount: String(s.token_out_amount),
        protocol: s.protocol === '0x' ? 'zero_ex' : s.protocol,
    }
}

/** A swap the reference reports but whose call (or an ancestor) failed: its effects never happened. */
function rolledBack(l: Loaded, s: any): boolean {
    const failed = new Set(l.input.traces.filter((t) => t.error).map((t) => key(t.transactionHash ?? '', t.traceAddress)))
    return s.trace_address.some((_: number, i: number) => failed.has(key(s.transaction_hash, s.trace_address.slice(0, i)))) || failed.has(key(s.transaction_hash, s.trace_address))
}

interface Found {
    diffs: Omit<KnownDifference, 'reason'>[]
    refCount: number
    oursCount: number
    matched: number
}

function compareSwaps(l: Loaded): Found {
    const refs = l.ref.swaps.filter((s: any) => !rolledBack(l, s)).map(refSwap)
    const ours = new Map(l.ours.swaps.map((s) => [key(s.transactionHash, s.traceAddress), s]))
    const diffs: Found['diffs'] = []
    let matched = 0
    for (const r of refs) {
        const o = ours.get(key(r.transactionHash!, r.traceAddress!))
        if (!o) diffs.push({ block: l.block, kind: 'swap-fields', tx: r.transactionHash!, trace: r.traceAddress })
        else if (Object.entries(r).every(([k, v]) => JSON.stringify((o as any)[k]) === JSON.stringify(v))) matched++
        else diffs.push({ block: l.block, kind: 'swap-fields', tx: r.transactionHash!, trace: r.traceAddress })
    }
    const refKeys = new Set(refs.map((r: Partial<Swap>) => key(r.transactionHash!, r.traceAddress!)))
    for (const [k, o] of ours) if (!refKeys.has(k)) diffs.push({ block: l.block, kind: 'extra-swap', tx: o.transactionHash, trace: o.traceAddress })
    return { diffs, refCount: refs.length, oursCount: ours.size, matched }
}

const arbKey = (tx: string, token: string, profit: string) => `${tx.toLowerCase()}|${token.toLowerCase()}|${profit}`

function compareArbitrages(l: Loaded): Found {
    const refs = new Map<string, any>(l.ref.arbitrages.map((a: any) => [arbKey(a.transaction_hash, a.profit_token_address, String(a.profit_amount)), a]))
    const diffs: Found['diffs'] = []
    let matched = 0
    for (const a of l.ours.arbitrages) {
        const r = refs.get(arbKey(a.transactionHash, a.profitTokenAddress, a.profitAmount))
        const sameSwaps = r && JSON.stringify(r.swaps.map((s: any) => key(s.transaction_hash, s.trace_address)).sort()) === JSON.stringify(a.swaps.map((s) => key(s.transactionHash, s.traceAddress)).sort())
        if (sameSwaps) matched++
        else diffs.push({ block: l.block, kind: 'extra-arbitrage', tx: a.transactionHash })
    }
    return { diffs, refCount: refs.size, oursCount: l.ours.arbitrages.length, matched }
}

function compareSandwiches(l: Loaded): Found {
    const sig = (front: string, back: string, who: string, profit: string, victims: string[]) => [front, back, who.toLowerCase(), profit, ...victims.sort()].join('|')
    const refs = new Set<string>(
        l.ref.sandwiches.map((s: any) =>
            sig(key(s.frontrun_swap.transaction_hash, s.frontrun_swap.trace_address), key(s.backrun_swap.transaction_hash, s.backrun_swap.trace_address), s.sandwicher_address, String(s.profit_amount), s.sandwiched_swaps.map((v: any) => key(v.transaction_hash, v.trace_address))),
        ),
    )
    let matched = 0
    for (const s of l.ours.sandwiches) {
        const k = sig(key(s.frontrunSwap.transactionHash, s.frontrunSwap.traceAddress), key(s.backrunSwap.transactionHash, s.backrunSwap.traceAddress), s.sandwicherAddress, s.profitAmount, s.sandwichedSwaps.map((v) => key(v.transactionHash, v.traceAddress)))
        if (refs.has(k)) matched++
    }
    return { diffs: [], refCount: refs.size, oursCount: l.ours.sandwiches.length, matched }
}

const MINER_FIELDS: [string, string][] = [
    ['transaction_index', 'transactionIndex'],
    ['miner_address', 'minerAddress'],
    ['coinbase_transfer', 'coinbaseTransfer'],
    ['base_fee_per_gas', 'baseFeePerGas'],
    ['gas_price', 'gasPrice'],
    ['gas_price_with_coinbase_transfer', 'gasPriceWithCoinbaseTransfer'],
    ['gas_used', 'gasUsed'],
    ['transaction_to_address', 'transactionToAddress'],
    ['transaction_from_address', 'transactionFromAddress'],
]

function compareMinerPayments(l: Loaded): Found {
    const ours = new Map(l.ours.minerPayments.map((p) => [p.transactionHash, p as unknown as Record<string, unknown>]))
    const diffs: Found['diffs'] = []
    let matched = 0
    for (const r of l.ref.minerPayments) {
        const o = ours.get(r.transaction_hash)
        const same = o && MINER_FIELDS.every(([a, b]) => String(r[a]).toLowerCase() === String(o[b]).toLowerCase())
        if (same) matched++
        else diffs.push({ block: l.block, kind: 'miner-payment-fields', tx: r.transaction_hash })
    }
    return { diffs, refCount: l.ref.minerPayments.length, oursCount: ours.size, matched }
}

/** Each category's differences over all blocks, with recall/precision counting listed differences as accounted for. */
function summarise(compare: (l: Loaded) => Found) {
    const all = BLOCKS.map((b) => compare(get(b)))
    const diffs = all.flatMap((f) => f.diffs)
    const unlisted = diffs.filter((d) => !KNOWN.has(diffKey(d)))
    const listedExtras = diffs.filter((d) => KNOWN.has(diffKey(d)) && (d.kind === 'extra-swap' || d.kind === 'extra-arbitrage')).length
    const listedFields = diffs.filter((d) => KNOWN.has(diffKey(d)) && d.kind !== 'extra-swap' && d.kind !== 'extra-arbitrage').length
    const sum = (f: (x: Found) => number) => all.reduce((n, x) => n + f(x), 0)
    const refCount = sum((x) => x.refCount)
    const oursCount = sum((x) => x.oursCount)
    const matched = sum((x) => x.matched)
    return {
        diffs,
        unlisted,
        recall: refCount ? (matched + listedFields) / refCount : 1,
        precision: oursCount ? (matched + listedFields + listedExtras) / oursCount : 1,
        rawPrecision: oursCount ? matched / oursCount : 1,
    }
}

describe('expect/: the assertions of mev-inspect-py test suite (swaps, arbitrages, JIT, miner)', () => {
    it.each(BLOCKS)('block %s', (b) => {
        const l = get(b)
        const e = l.expect ?? {}
        for (const s of e.swaps ?? []) {
            const o = l.ours.swaps.find((x) => x.transactionHash === s.transactionHash && key(x.transactionHash, x.traceAddress) === key(s.transactionHash, s.traceAddress))
            expect(o).toMatchObject(s)
        }
        for (const j of e.jitLiquidity ?? []) {
            const o = l.ours.jitLiquidity.find((x) => x.mintTransactionHash === j.mintTransactionHash && x.burnTransactionHash === j.burnTransactionHash)
            expect(o).toMatchObject(j)
        }
        for (const a of e.arbitrages ?? []) {
            const o = l.ours.arbitrages.filter((x) => x.transactionHash === a.transactionHash && x.profitTokenAddress === a.profitTokenAddress)
            expect(o).toHaveLength(1)
            const approx = BigInt(a.profitAmountApprox)
            const delta = BigInt(o[0].profitAmount) - approx
            expect((delta < 0n ? -delta : delta) * 1000n).toBeLessThanOrEqual(approx) // within 0.1 %
        }
        if (e.minerFromRewardTrace) {
            const withoutMiner = classifyBlock({ ...l.input, miner: null })
            expect(withoutMiner.minerPayments.length).toBeGreaterThan(0)
            for (const p of withoutMiner.minerPayments) expect(p.minerAddress).toBe(e.minerFromRewardTrace.toLowerCase())
        }
    })
})

describe("reference/: mev-inspect-py's own output", () => {
    const report = (what: string, s: ReturnType<typeof summarise>) =>
        `${what}: recall ${(s.recall * 100).toFixed(1)} %, precision ${(s.precision * 100).toFixed(1)} % (${(s.rawPrecision * 100).toFixed(1)} % before listed differences)`

    it("finds >= 95 % of mev-inspect-py's non-reverted swaps, >= 90 % precision; every difference listed", () => {
        const s = summarise(compareSwaps)
        expect(s.unlisted).toEqual([])
        expect(s.recall).toBeGreaterThanOrEqual(0.95)
        expect(s.precision).toBeGreaterThanOrEqual(0.9)
        expect(s.rawPrecision).toBeGreaterThanOrEqual(0.9)
        console.log(report('swaps', s))
    })

    it('finds >= 90 % of its arbitrages (same tx, token, profit and swaps), >= 90 % precision; every difference listed', () => {
        const s = summarise(compareArbitrages)
        expect(s.unlisted).toEqual([])
        expect(s.recall).toBeGreaterThanOrEqual(0.9)
        expect(s.precision).toBeGreaterThanOrEqual(0.9)
        console.log(report('arbitrages', s))
    })

    it('finds >= 90 % of its sandwiches (same frontrun, victims, backrun, sandwicher, profit), >= 90 % precision', () => {
        const s = summarise(compareSandwiches)
        expect(s.recall).toBeGreaterThanOrEqual(0.9)
        expect(s.precision).toBeGreaterThanOrEqual(0.9)
        console.log(report('sandwiches', s))
    })

    it('reports a miner payment for every receipt, field by field; every difference listed', () => {
        const s = summarise(compareMinerPayments)
        expect(s.unlisted).toEqual([])
        expect(s.recall).toBe(1)
    })

    it('unpadded calldata is why it misses swaps: none of the swaps it reports has any', () => {
        let checked = 0
        for (const b of BLOCKS) {
            const l = get(b)
            const byKey = new Map(l.input.traces.map((t) => [key(t.transactionHash ?? '', t.traceAddress), t]))
            for (const s of l.ref.swaps) {
                const t = byKey.get(key(s.transaction_hash, s.trace_address))
                expect((t!.action.input!.length - 10) % 64).toBe(0)
                checked++
            }
        }
        expect(checked).toBeGreaterThan(400)
    })

    it('every listed difference is still a difference, and its evidence holds in the traces', () => {
        const found = new Set([compareSwaps, compareArbitrages, compareMinerPayments].flatMap((c) => BLOCKS.flatMap((b) => c(get(b)).diffs.map(diffKey))))
        for (const d of KNOWN_DIFFERENCES) {
            expect([diffKey(d), found.has(diffKey(d))]).toEqual([diffKey(d), true])
            expect([diffKey(d), evidence(get(d.block), d)]).toEqual([diffKey(d), true])
        }
    })
})

const TRANSFER_SELECTORS = ['0xa9059cbb', '0x23b872dd']

/** Checks a listed difference's reason on the block itself. */
function evidence(l: Loaded, d: KnownDifference): boolean {
    const trace = d.trace && l.input.traces.find((t) => t.transactionHash?.toLowerCase() === d.tx && key(d.tx, t.traceAddress) === key(d.tx, d.trace!))
    const swap = d.trace && l.ours.swaps.find((s) => key(s.transactionHash, s.traceAddress) === key(d.tx, d.trace!))
    switch (d.reason) {
        case 'unpadded-calldata': {
            const input = trace?.action.input ?? ''
            return !!swap && (input.length - 10) % 64 !== 0 // calldata not a whole number of 32-byte words
        }
        case 'curve-pool-unlisted':
            return swap?.protocol === 'curve'
        case 'transfer-hook-swap': {
            // the swap runs inside an ERC20 transfer call, and is paid by that token's own contract
            const outer = l.input.traces.find(
                (t) =>
                    t.transactionHash?.toLowerCase() === d.tx &&
                    t.traceAddress.length < d.trace!.length &&
                    t.traceAddress.every((x, i) => x === d.trace![i]) &&
                    TRANSFER_SELECTORS.includes((t.action.input ?? '').slice(0, 10)),
            )
            return !!swap && !!outer && swap.fromAddress === outer.action.to?.toLowerCase()
        }
        case 'arbitrage-through-missed-swap': {
            const arb = l.ours.arbitrages.find((a) => a.transactionHash === d.tx)
            const missed = new Set(KNOWN_DIFFERENCES.filter((k) => k.kind === 'extra-swap').map((k) => key(k.tx, k.trace!)))
            return !!arb && arb.swaps.some((s) => missed.has(key(s.transactionHash, s.traceAddress)))
        }
        case 'arbitrage-missed-by-reference': {
            const arb: Arbitrage | undefined = l.ours.arbitrages.find((a) => a.transactionHash === d.tx)
            const refSwaps = new Set(l.ref.swaps.map((s: any) => key(s.transaction_hash, s.trace_address)))
            const refArb = l.ref.arbitrages.some((a: any) => a.transaction_hash === d.tx)
            return !!arb && !refArb && arb.swaps.every((s) => refSwaps.has(key(s.transactionHash, s.traceAddress))) && BigInt(arb.profitAmount) > 0n
        }
        case 'float-rounding': {
            const r = l.ref.minerPayments.find((p: any) => p.transaction_hash === d.tx)
            const o = l.ours.minerPayments.find((p) => p.transactionHash === d.tx)
            const gasUsed = BigInt(r.gas_used)
            const exact = gasUsed > 0n ? (gasUsed * BigInt(r.gas_price) + BigInt(r.coinbase_transfer)) / gasUsed : 0n
            return !!o && o.gasPriceWithCoinbaseTransfer === exact.toString() && String(r.gas_price_with_coinbase_transfer) !== exact.toString()
        }
    }
}

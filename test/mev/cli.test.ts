import { spawnSync } from 'child_process'
import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'
import { MevCliIo, runMevCli } from '../../src/cli/mev'

const FIXTURES = path.resolve(__dirname, '../../../shared/fixtures/mev-inspect')
const BLOCK = path.join(FIXTURES, '12775690.json')
const EXPECTED_SANDWICHES = path.join(FIXTURES, '12775690.sandwiches.json')

function requireFixtures(): void {
    if (!fs.existsSync(BLOCK) || !fs.existsSync(EXPECTED_SANDWICHES)) {
        throw new Error(
            `mev-inspect fixtures not found in ${FIXTURES} (expected 12775690.json and 12775690.sandwiches.json; ` +
                `the shared/ folder must sit beside the project root)`,
        )
    }
}

interface Captured extends MevCliIo {
    out: string
    err: string
}

function fakeIo(): Captured {
    const io: Captured = {
        out: '',
        err: '',
        stdout: (t) => void (io.out += t),
        stderr: (t) => void (io.err += t),
        readFile: (p) => fs.promises.readFile(p, 'utf8'),
    }
    return io
}

/** JSON.parse that keeps big integer literals exact (as decimal strings). */
function parseJsonExact(text: string): any {
    return JSON.parse(text.replace(/(:\s*)(-?\d+)(\s*[,}\]])/g, '$1"$2"$3'))
}

const camel = (k: string) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())

/** mev-inspect-py swap (snake_case) -> our Swap field names and value types. */
function normaliseExpectedSwap(s: any): Record<string, unknown> {
    const o: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(s)) o[camel(k)] = v
    return {
        blockNumber: Number(o.blockNumber),
        transactionHash: o.transactionHash,
        transactionPosition: Number(o.transactionPosition),
        traceAddress: o.traceAddress,
        contractAddress: o.contractAddress,
        fromAddress: o.fromAddress,
        recipientAddress: o.toAddress,
        tokenInAddress: o.tokenInAddress,
        tokenInAmount: String(o.tokenInAmount),
        tokenOutAddress: o.tokenOutAddress,
        tokenOutAmount: String(o.tokenOutAmount),
        protocol: o.protocol,
        error: o.error,
    }
}

describe('mev CLI on mainnet block 12775690', () => {
    let result: any
    let expected: any[]

    beforeAll(async () => {
        requireFixtures()
        const io = fakeIo()
        const code = await runMevCli(['inspect', BLOCK], io)
        expect(io.err).toBe('')
        expect(code).toBe(0)
        expect(io.out.trim().split('\n')).toHaveLength(1) // one JSON object
        result = JSON.parse(io.out)
        expected = parseJsonExact(fs.readFileSync(EXPECTED_SANDWICHES, 'utf8'))
    })

    it("prints blockNumber and every category of mev-inspect-py's model", () => {
        expect(Object.keys(result)).toEqual([
            'blockNumber',
            'swaps',
            'arbitrages',
            'sandwiches',
            'liquidations',
            'jitLiquidity',
            'nftTrades',
            'punkBids',
            'punkBidAcceptances',
            'punkSnipes',
            'minerPayments',
        ])
        expect(result.blockNumber).toBe(12775690)
        expect(result.arbitrages).toEqual([])
    })

    it('finds the 21 swaps mev-inspect-py found', () => {
        expect(result.swaps).toHaveLength(21)
        for (const s of result.swaps) {
            expect(s.protocol).toMatch(/^uniswap_v[23]$/)
            expect(s.error).toBeNull()
            expect(s.tokenInAmount).toMatch(/^\d+$/)
            expect(s.tokenOutAmount).toMatch(/^\d+$/)
        }
        expect(result.swaps.filter((s: any) => s.protocol === 'uniswap_v3')).toHaveLength(2)
    })

    it('every swap of the expected sandwiches is among the classified swaps, field by field', () => {
        const all = expected.flatMap((s) => [s.frontrun_swap, ...s.sandwiched_swaps, s.backrun_swap]).map(normaliseExpectedSwap)
        expect(all).toHaveLength(6)
        for (const e of all) {
            const ours = result.swaps.find((s: any) => s.transactionHash === e.transactionHash && String(s.traceAddress) === String(e.traceAddress))
            expect(ours).toEqual(e)
        }
    })

    it('reports exactly the sandwiches mev-inspect-py reports', () => {
        expect(result.sandwiches).toHaveLength(expected.length)
        expected.forEach((e, i) => {
            const got = result.sandwiches[i]
            expect(got.blockNumber).toBe(12775690)
            expect(got.sandwicherAddress).toBe(e.sandwicher_address)
            expect(got.frontrunSwap).toEqual(normaliseExpectedSwap(e.frontrun_swap))
            expect(got.backrunSwap).toEqual(normaliseExpectedSwap(e.backrun_swap))
            expect(got.sandwichedSwaps).toEqual(e.sandwiched_swaps.map(normaliseExpectedSwap))
            expect(got.profitTokenAddress).toBe(e.profit_token_address)
            expect(got.profitAmount).toBe(String(e.profit_amount))
        })
        expect(result.sandwiches[0].profitAmount).toBe('49991481915322274')
    })
})

describe('mev CLI errors', () => {
    const run = async (argv: string[]) => {
        const io = fakeIo()
        const code = await runMevCli(argv, io)
        return { code, out: io.out, err: io.err }
    }
    const oneLine = (s: string) => {
        expect(s.endsWith('\n')).toBe(true)
        expect(s.trim().split('\n')).toHaveLength(1)
        expect(s).not.toMatch(/\n\s+at /) // no stack trace
    }
    let tmp: string
    beforeAll(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mev-cli-'))
    })
    afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

    it('missing file', async () => {
        const r = await run(['inspect', path.join(tmp, 'nope.json')])
        expect(r.code).not.toBe(0)
        expect(r.out).toBe('')
        expect(r.err).toMatch(/^mev: cannot read block file .*nope\.json: ENOENT\n$/)
        oneLine(r.err)
    })

    it('bad JSON', async () => {
        const f = path.join(tmp, 'bad.json')
        fs.writeFileSync(f, '{"block_number": 1, "traces": [')
        const r = await run(['inspect', f])
        expect(r.code).not.toBe(0)
        expect(r.out).toBe('')
        expect(r.err).toMatch(/^mev: invalid JSON in block file .*bad\.json/)
        oneLine(r.err)
    })

    it('JSON that is not a block', async () => {
        const f = path.join(tmp, 'notblock.json')
        fs.writeFileSync(f, '{"block_number": 1}')
        const r = await run(['inspect', f])
        expect(r.code).not.toBe(0)
        expect(r.err).toMatch(/^mev: invalid block file .*notblock\.json: missing traces array\n$/)
        oneLine(r.err)
    })

    it('unknown command, missing command, missing file argument', async () => {
        for (const argv of [['frobnicate', 'x.json'], [], ['inspect'], ['inspect', '--pretty'], ['inspect', '--bogus', 'a.json']]) {
            const r = await run(argv)
            expect(r.code).toBe(2)
            expect(r.out).toBe('')
            expect(r.err).toMatch(/^mev: .*usage: mev inspect <block\.json>/)
            oneLine(r.err)
        }
        expect((await run(['frobnicate'])).err).toMatch(/unknown command 'frobnicate'/)
    })

    it('an empty block classifies to empty lists', async () => {
        const f = path.join(tmp, 'empty.json')
        fs.writeFileSync(f, JSON.stringify({ block_number: 5, traces: [] }))
        const r = await run(['inspect', f])
        expect(r.code).toBe(0)
        expect(JSON.parse(r.out)).toEqual({
            blockNumber: 5,
            swaps: [],
            arbitrages: [],
            sandwiches: [],
            liquidations: [],
            jitLiquidity: [],
            nftTrades: [],
            punkBids: [],
            punkBidAcceptances: [],
            punkSnipes: [],
            minerPayments: [],
        })
    })

    it('several files: one JSON object per line, in argument order; a bad file stops with one error line', async () => {
        const a = path.join(tmp, 'a.json')
        const b = path.join(tmp, 'b.json')
        fs.writeFileSync(a, JSON.stringify({ block_number: 7, traces: [] }))
        fs.writeFileSync(b, JSON.stringify({ block_number: 8, traces: [] }))
        const r = await run(['inspect', a, b, a])
        expect(r.code).toBe(0)
        expect(r.out.trim().split('\n').map((l) => JSON.parse(l).blockNumber)).toEqual([7, 8, 7])
        const bad = await run(['inspect', a, path.join(tmp, 'nope.json'), b])
        expect(bad.code).toBe(1)
        expect(bad.out.trim().split('\n')).toHaveLength(1)
        oneLine(bad.err)
    })

    // Exercises the real process wrapper (exit code, stderr) when the project has been built.
    const builtCli = path.resolve(__dirname, '../../lib/cli/mev.js')
    ;(fs.existsSync(builtCli) ? it : it.skip)('built CLI process exits non-zero with one stderr line', () => {
        const p = spawnSync(process.execPath, [builtCli, 'inspect', path.join(tmp, 'missing.json')], { encoding: 'utf8' })
        expect(p.status).toBe(1)
        expect(p.stdout).toBe('')
        expect(p.stderr).toMatch(/^mev: cannot read block file .*missing\.json: ENOENT\n$/)
        const q = spawnSync(process.execPath, [builtCli, 'nope'], { encoding: 'utf8' })
        expect(q.status).toBe(2)
        expect(q.stderr.trim().split('\n')).toHaveLength(1)
    })
})

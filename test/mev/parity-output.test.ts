/**
 * Liquidations, NFT trades and CryptoPunks as the product reports them: through classifyBlock and the
 * CLI's output (all shared blocks in one run), against mev-inspect-py's reference, with the same
 * allow-lists the category tests use (parity-differences.ts).
 */
import * as path from 'path'
import * as fs from 'fs'
import { MevCliIo, runMevCli } from '../../src/cli/mev'
import { liquidationNetProfit } from '../../src/mev/miner-payments'
import { Liquidation } from '../../src/mev/types'
import { LIQUIDATION_EXTRAS, LIQUIDATION_MISSING, NFT_TRADE_EXTRAS } from './parity-differences'
import { FIXTURES, key, loadReference, refFields, referenceBlocks } from './mev-inspect-fixtures'

const LIQ_FIELDS = ['liquidated_user', 'liquidator_user', 'debt_token_address', 'debt_purchase_amount', 'received_amount', 'received_token_address', 'protocol']
const NFT_FIELDS = ['seller_address', 'buyer_address', 'payment_token_address', 'payment_amount', 'collection_address', 'token_id']

const keysOf = (rows: Array<{ transactionHash: string; traceAddress: number[] }>) => rows.map((r) => key(r.transactionHash, r.traceAddress)).sort()

describe('liquidations, NFT trades and punks in the CLI output of every shared block', () => {
    const blocks = referenceBlocks()
    const output = new Map<number, any>()

    beforeAll(async () => {
        let out = ''
        const io: MevCliIo = { stdout: (t) => void (out += t), stderr: () => undefined, readFile: (p) => fs.promises.readFile(p, 'utf8') }
        const code = await runMevCli(['inspect', ...blocks.map((n) => path.join(FIXTURES, `${n}.json`))], io)
        expect(code).toBe(0)
        for (const line of out.trim().split('\n')) {
            const o = JSON.parse(line)
            output.set(o.blockNumber, o)
        }
    })

    it('one object per block, with every category key', () => {
        expect([...output.keys()]).toEqual(blocks)
        for (const o of output.values()) {
            for (const k of ['liquidations', 'nftTrades', 'punkBids', 'punkBidAcceptances', 'punkSnipes']) expect(Array.isArray(o[k])).toBe(true)
        }
    })

    it.each(blocks)('block %i: liquidations are the reference’s, less the listed misses, plus the listed extras, field by field', (n) => {
        const ours: Liquidation[] = output.get(n).liquidations
        const ref = loadReference(n).liquidations.filter((r) => r.error === null)
        const expected = [
            ...ref.map((r) => key(r.transaction_hash, r.trace_address)).filter((k) => !LIQUIDATION_MISSING.some((m) => m.block === n && key(m.tx, m.traceAddress) === k)),
            ...LIQUIDATION_EXTRAS.filter((e) => e.block === n).map((e) => key(e.tx, e.traceAddress)),
        ].sort()
        expect(keysOf(ours)).toEqual(expected)
        for (const r of ref) {
            const l = ours.find((x) => key(x.transactionHash, x.traceAddress) === key(r.transaction_hash, r.trace_address))
            if (!l) continue
            expect(refFields(l as unknown as Record<string, unknown>, LIQ_FIELDS.map((f) => f.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())))).toEqual(refFields(r, LIQ_FIELDS))
        }
        for (const l of ours) {
            expect(l.blockNumber).toBe(n)
            // every shared block has receipts: the gas cost is known, the net profit follows the one rule
            expect(l.gasCost).toMatch(/^\d+$/)
            expect(l.netProfit).toBe(liquidationNetProfit(l, BigInt(l.gasCost!)))
        }
    })

    it.each(blocks)('block %i: NFT trades are the reference’s plus the listed extras, field by field; no punk activity', (n) => {
        const o = output.get(n)
        const ref = loadReference(n).nftTrades.filter((r) => r.error === null)
        const expected = [...ref.map((r) => key(r.transaction_hash, r.trace_address)), ...NFT_TRADE_EXTRAS.filter(([bn]) => bn === n).map(([, tx, ta]) => key(tx, ta))].sort()
        expect(keysOf(o.nftTrades)).toEqual(expected)
        for (const r of ref) {
            const t = o.nftTrades.find((x: any) => key(x.transactionHash, x.traceAddress) === key(r.transaction_hash, r.trace_address))
            const { sellerAddress, buyerAddress, paymentTokenAddress, paymentAmount, collectionAddress, tokenId } = t
            expect({ sellerAddress, buyerAddress, paymentTokenAddress, paymentAmount, collectionAddress, tokenId }).toEqual(refFields(r, NFT_FIELDS))
        }
        expect([o.punkBids, o.punkBidAcceptances, o.punkSnipes]).toEqual([loadReference(n).punkBids, loadReference(n).punkBidAcceptances, loadReference(n).punkSnipes])
    })
})

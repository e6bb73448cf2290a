/**
 * ProtocolEvent is a view (src/model/protocol-event-row.ts): its stored rows plus the Escrow movement events derived
 * from escrow_movement. Checked against the chain: every log of an indexed contract, decoded by the processor's own
 * decoder and turned into a row by the handlers' own function (protocolEventOf), must be in the view exactly once
 * with the same fields, and nothing else may be.
 */
import { Client } from 'pg'
import { EventDecoder } from '../../../src/mappings/decode'
import { protocolEventOf } from '../../../src/mappings/index'
import { rpcCall } from '../../../src/stack/anvil'

export interface ViewCheck {
    logs: number
    derived: number
    mismatches: string[]
}

/** Compare the view with the chain's logs of `contracts` (name → address) in blocks [0, head]. */
export async function checkProtocolEventView(dbUrl: string, rpcUrl: string, contracts: Record<string, string>, head: number): Promise<ViewCheck> {
    const decoder = new EventDecoder(contracts)
    const logs: any[] = await rpcCall(rpcUrl, 'eth_getLogs', [{ fromBlock: '0x0', toBlock: '0x' + head.toString(16), address: Object.values(contracts) }])
    const blocks = new Map<string, any>()
    const txs = new Map<string, any>()
    const expected = new Map<string, Record<string, unknown>>()
    for (const l of logs) {
        const block = blocks.get(l.blockHash) ?? (await rpcCall(rpcUrl, 'eth_getBlockByHash', [l.blockHash, false]))
        blocks.set(l.blockHash, block)
        const tx = txs.get(l.transactionHash) ?? (await rpcCall(rpcUrl, 'eth_getTransactionByHash', [l.transactionHash]))
        txs.set(l.transactionHash, tx)
        const ev = decoder.decode({
            id: '',
            address: l.address,
            topics: l.topics,
            data: l.data,
            logIndex: Number(l.logIndex),
            transactionHash: l.transactionHash,
            block: { height: Number(l.blockNumber), hash: l.blockHash, timestamp: Number(block.timestamp) * 1000 },
            transaction: { from: tx.from },
        } as any)
        if (!ev) continue
        const { id: _, ...row } = protocolEventOf(ev)
        expected.set(`${row.blockNumber}-${row.logIndex}`, row)
    }
    const c = new Client({ connectionString: dbUrl })
    await c.connect()
    let rows: any[]
    try {
        rows = (await c.query(`SELECT p.*, m.id IS NOT NULL AS derived FROM protocol_event AS p LEFT JOIN escrow_movement AS m ON m.id = p.id AND p.contract = 'ESCROW'`)).rows
    } finally {
        await c.end()
    }
    const mismatches: string[] = []
    const seen = new Set<string>()
    for (const r of rows) {
        const key = `${r.block_number}-${r.log_index}`
        if (seen.has(key)) mismatches.push(`${key}: twice in the view`)
        seen.add(key)
        const want = expected.get(key)
        if (!want) {
            mismatches.push(`${key}: in the view (${r.name}), not on the chain`)
            continue
        }
        const got = {
            contract: r.contract,
            contractAddress: r.contract_address,
            name: r.name,
            args: r.args,
            blockNumber: r.block_number,
            blockHash: r.block_hash,
            logIndex: r.log_index,
            txHash: r.tx_hash,
            // (every log is requested with its transaction: src/processor.ts)
            txFrom: r.tx_from,
            timestamp: new Date(r.timestamp),
        }
        if (canon(got) !== canon(want)) mismatches.push(`${key} ${r.name}: view ${canon(got)} ≠ chain ${canon(want)}`)
    }
    for (const key of expected.keys()) if (!seen.has(key)) mismatches.push(`${key}: on the chain (${expected.get(key)!.name}), not in the view`)
    return { logs: expected.size, derived: rows.filter((r) => r.derived).length, mismatches }
}

/** JSON with object keys sorted at every level (jsonb does not keep the order the handler wrote). */
function canon(v: unknown): string {
    if (v instanceof Date) return JSON.stringify(v.toISOString())
    if (Array.isArray(v)) return '[' + v.map(canon).join(',') + ']'
    if (v && typeof v === 'object') {
        return '{' + Object.keys(v).sort().map((k) => JSON.stringify(k) + ':' + canon((v as any)[k])).join(',') + '}'
    }
    return JSON.stringify(v ?? null)
}

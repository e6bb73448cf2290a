/**
 * Trace conversion against a real node: contract calls on anvil (nested calls with value, staticcall,
 * delegatecall, a caught revert, creates, an ETH tip to the coinbase, a reverted transaction), fetched
 * through squid's own RPC data source with the processor's data request, converted with
 * toClassifierTrace, and compared with anvil's Parity `trace_block` output read through the classifier's
 * own normalizeTrace. Also checks the debug_traceBlockByHash path (TRACE_API=debug) classifies the same,
 * and that priority fees computed from squid's receipts match eth_getTransactionReceipt.
 */
import { spawnSync } from 'child_process'
import * as path from 'path'
import { ContractFactory, Interface, JsonRpcProvider, NonceManager, Wallet } from 'ethers'
import { blockFacts, blockInputOf, priorityFeesOf, SquidBlockLike } from '../../src/mappings/block-facts'
import { classifyBlock, normalizeTrace } from '../../src/mev/classify'
import { Trace } from '../../src/mev/types'
import { anvilKey } from '../../src/deploy/local-accounts'
import { Anvil, rpcCall, startAnvil } from '../../src/stack/anvil'
import { freePort } from '../../src/stack/util'
import { buildLib, ROOT } from './support/e2e'

jest.setTimeout(120_000)

const SOURCE = `
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;
contract Callee {
    uint256 public x;
    function set(uint256 v) external payable returns (uint256) { x = v; return v * 2; }
    function fail() external pure { revert("nope"); }
}
contract Caller {
    Callee public c;
    constructor() payable { c = new Callee(); }
    function go(address payable tip) external payable {
        c.set{value: 1}(7);
        c.x();
        try c.fail() {} catch {}
        (bool ok, ) = address(c).delegatecall(abi.encodeWithSignature("set(uint256)", 9));
        require(ok);
        tip.transfer(2);
        new Callee();
    }
}`

function compile(): Record<string, { abi: any[]; bytecode: string }> {
    const solc = require('solc')
    const out = JSON.parse(
        solc.compile(
            JSON.stringify({
                language: 'Solidity',
                sources: { 'T.sol': { content: SOURCE } },
                settings: { outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } } },
            }),
        ),
    )
    const errors = (out.errors ?? []).filter((e: any) => e.severity === 'error')
    if (errors.length) throw new Error(errors.map((e: any) => e.formattedMessage).join('\n'))
    const c = out.contracts['T.sol']
    return Object.fromEntries(Object.entries(c).map(([k, v]: [string, any]) => [k, { abi: v.abi, bytecode: '0x' + v.evm.bytecode.object }]))
}

const BIG = new Set(['baseFeePerGas', 'gasUsed', 'gasLimit', 'effectiveGasPrice', 'gasPrice', 'value', 'gas', 'cumulativeGasUsed', 'difficulty', 'totalDifficulty', 'size', 'balance'])
function fetchSquidBlocks(url: string, from: number, to: number, api: 'trace' | 'debug'): SquidBlockLike[] {
    const r = spawnSync(process.execPath, [path.join(__dirname, 'support/fetch-blocks.js'), url, String(from), String(to), api], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 60_000,
    })
    if (r.status !== 0) throw new Error(`fetch-blocks exited ${r.status}:\n${r.stderr}`)
    return r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l, (k, v) => (BIG.has(k) && typeof v === 'string' ? BigInt(v) : v)))
}

/** Quantities as bigints, addresses lowercase, fields squid does not fetch (create init / code) dropped. */
function canonical(t: Trace): unknown {
    const q = (v: unknown) => (v == null ? null : BigInt(v as any).toString())
    const a = t.action
    const action: Record<string, unknown> = { from: a.from?.toLowerCase() ?? null }
    if (t.type === 'call') Object.assign(action, { to: a.to?.toLowerCase(), callType: a.callType, input: a.input, value: q(a.value), gas: q(a.gas) })
    if (t.type === 'create') Object.assign(action, { value: q(a.value), gas: q(a.gas) })
    const r = t.result
    const result = r == null ? null : t.type === 'call' ? { output: r.output ?? '0x', gasUsed: q(r.gasUsed) } : { address: r.address?.toLowerCase(), gasUsed: q(r.gasUsed) }
    return {
        type: t.type,
        action,
        result,
        subtraces: t.subtraces,
        traceAddress: t.traceAddress,
        transactionHash: t.transactionHash?.toLowerCase(),
        transactionPosition: t.transactionPosition,
        error: t.error ?? null,
    }
}

let anvil: Anvil
let provider: JsonRpcProvider
let first: number
let last: number
const COINBASE = '0x00000000000000000000000000000000000c0ffe'

beforeAll(async () => {
    const built = new Promise<void>((resolve, reject) => {
        try {
            buildLib()
            resolve()
        } catch (e) {
            reject(e)
        }
    })
    anvil = await startAnvil({ port: await freePort() })
    await rpcCall(anvil.url, 'anvil_setCoinbase', [COINBASE])
    provider = new JsonRpcProvider(anvil.url, undefined, { staticNetwork: true, pollingInterval: 50 })
    const w = new NonceManager(new Wallet(anvilKey(1), provider))
    const { Caller, Callee } = compile()
    void Callee
    const head = async () => Number(await rpcCall<string>(anvil.url, 'eth_blockNumber'))
    first = (await head()) + 1
    const caller = await new ContractFactory(Caller.abi, Caller.bytecode, w).deploy({ value: 10n })
    await caller.waitForDeployment()
    // three transactions in one block (automine off): raw eth_sendTransaction from anvil's unlocked account
    await rpcCall(anvil.url, 'evm_setAutomine', [false])
    const from = await w.getAddress()
    const hex = (n: bigint) => '0x' + n.toString(16)
    const send = (to: string, data: string, value: bigint, gas: bigint, tip: bigint) =>
        rpcCall<string>(anvil.url, 'eth_sendTransaction', [
            { from, to, data, value: hex(value), gas: hex(gas), maxPriorityFeePerGas: hex(tip), maxFeePerGas: hex(100_000_000_000n) },
        ])
    const callerAt = await caller.getAddress()
    const calleeAt: string = await (caller as any).c()
    const hashes = [
        await send(callerAt, new Interface(Caller.abi).encodeFunctionData('go', [COINBASE]), 5n, 1_000_000n, 3_000_000_000n),
        await send(calleeAt, new Interface(Callee.abi).encodeFunctionData('fail', []), 0n, 100_000n, 1_000_000_000n), // reverts: mined with status 0
        await send(COINBASE, '0x', 1234n, 21_000n, 2_000_000_000n), // a plain ETH tip to the coinbase
    ]
    await rpcCall(anvil.url, 'evm_mine', [])
    await rpcCall(anvil.url, 'evm_setAutomine', [true])
    for (const h of hashes) expect(await rpcCall(anvil.url, 'eth_getTransactionReceipt', [h])).not.toBeNull()
    await rpcCall(anvil.url, 'evm_mine', []) // an empty block
    last = await head()
    await built
})

afterAll(async () => {
    provider?.destroy()
    await anvil?.stop().catch(() => anvil.kill())
})

test('squid traces (trace_block) convert to exactly what trace_block gives the classifier', async () => {
    const blocks = fetchSquidBlocks(anvil.url, first, last, 'trace')
    expect(blocks.map((b) => b.header.height)).toEqual(Array.from({ length: last - first + 1 }, (_, i) => first + i))
    let compared = 0
    const types = new Set<string>()
    for (const b of blocks) {
        const raw: unknown[] = await rpcCall(anvil.url, 'trace_block', ['0x' + b.header.height.toString(16)])
        const parity = raw.map((t, i) => normalizeTrace(t, i))
        const converted = blockInputOf(b).traces
        expect(converted.map(canonical)).toEqual(parity.map(canonical))
        compared += converted.length
        for (const t of converted) types.add(`${t.type}:${t.action.callType ?? ''}${t.error ? ':error' : ''}`)
        // the classifier sees the same block either way
        // (with the receipts the squid block carries on both sides: they feed miner payments, not trace reading)
        const squidInput = blockInputOf(b)
        const input = { blockNumber: b.header.height, miner: COINBASE, baseFeePerGas: squidInput.baseFeePerGas, traces: parity, receipts: squidInput.receipts }
        expect(classifyBlock(squidInput)).toEqual(classifyBlock(input))
        expect(classifyBlock(squidInput).minerPayments.map((p) => p.transactionHash)).toEqual(b.transactions.map((t) => t.hash!.toLowerCase()))
    }
    expect(compared).toBeGreaterThanOrEqual(10)
    expect([...types].sort()).toEqual(
        expect.arrayContaining(['call:call', 'call:staticcall', 'call:delegatecall', 'call:call:error', 'create:']),
    )
    console.log(`traces: ${compared} traces over ${blocks.length} blocks identical to trace_block; kinds ${[...types].sort().join(', ')}`)
})

test('coinbase transfers and priority fees of the busy block match the chain', async () => {
    const blocks = fetchSquidBlocks(anvil.url, first, last, 'trace')
    const busy = blocks.find((b) => b.transactions.length === 3)!
    const f = blockFacts(busy)
    // tip.transfer(2) inside go() and the plain 1234 wei transfer; the reverted tx sends nothing
    expect(f.mev.coinbaseTransfers.map((t) => t.amount).sort()).toEqual(['1234', '2'])
    let expected = 0n
    const block = await rpcCall(anvil.url, 'eth_getBlockByNumber', ['0x' + busy.header.height.toString(16), false])
    for (const hash of block.transactions) {
        const r = await rpcCall(anvil.url, 'eth_getTransactionReceipt', [hash])
        expected += (BigInt(r.effectiveGasPrice) - BigInt(block.baseFeePerGas)) * BigInt(r.gasUsed)
    }
    expect(f.priorityFees).toBe(expected)
    expect(priorityFeesOf(busy.transactions, BigInt(block.baseFeePerGas))).toBe(expected)
    expect(busy.transactions.map((t) => t.status)).toEqual([1, 0, 1])
    expect(f.miner).toBe(COINBASE)
    console.log(`traces: busy block ${busy.header.height}: priority fees ${expected} wei, coinbase transfers 2 + 1234 wei`)
})

test('debug_traceBlockByHash (TRACE_API=debug) gives the classifier the same calls', async () => {
    const viaTrace = fetchSquidBlocks(anvil.url, first, last, 'trace')
    const viaDebug = fetchSquidBlocks(anvil.url, first, last, 'debug')
    const shape = (t: Trace) => ({
        type: t.type,
        traceAddress: t.traceAddress,
        from: t.action.from,
        to: t.type === 'call' ? t.action.to : undefined,
        callType: t.action.callType ?? null,
        input: t.action.input ?? null,
        value: t.type === 'call' ? BigInt(t.action.value ?? 0).toString() : undefined,
        failed: t.error != null,
        transactionHash: t.transactionHash,
    })
    for (let i = 0; i < viaTrace.length; i++) {
        const a = blockInputOf(viaTrace[i]).traces.map(shape)
        const b = blockInputOf(viaDebug[i]).traces.map(shape)
        expect(b).toEqual(a)
        expect(classifyBlock(blockInputOf(viaDebug[i])).coinbaseTransfers).toEqual(classifyBlock(blockInputOf(viaTrace[i])).coinbaseTransfers)
    }
})

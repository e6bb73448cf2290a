import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'
import { Anvil, AnvilError, blockHashAt, rpcCall, startAnvil } from '../../src/stack/anvil'
import { setLogSink } from '../../src/stack/log'
import { freePort, isAlive } from '../../src/stack/util'

jest.setTimeout(50_000)

const logs: string[] = []
let tmp: string
let running: Anvil[] = []

beforeAll(() => {
    setLogSink((l) => {
        logs.push(l)
        if (process.env.STACK_TEST_LOGS) process.stdout.write(l + '\n')
    })
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-anvil-'))
})

afterEach(async () => {
    for (const a of running.splice(0)) await a.stop().catch(() => a.kill())
})

afterAll(() => {
    setLogSink(null)
    fs.rmSync(tmp, { recursive: true, force: true })
})

async function start(opts: Partial<Parameters<typeof startAnvil>[0]> = {}) {
    const a = await startAnvil({ port: await freePort(), ...opts })
    running.push(a)
    return a
}

const ACCOUNT0 = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'

/** anvil's automine answers eth_sendTransaction before the block is sealed: poll the receipt */
async function receipt(url: string, hash: string): Promise<any> {
    for (let i = 0; i < 100; i++) {
        const r = await rpcCall(url, 'eth_getTransactionReceipt', [hash])
        if (r) return r
        await new Promise((res) => setTimeout(res, 20))
    }
    throw new Error(`no receipt for ${hash}`)
}

test('start → eth_chainId → stop (ephemeral, 60 funded accounts)', async () => {
    const a = await start({ chainId: 31337, blockTime: 0 })
    expect(Number(await rpcCall(a.url, 'eth_chainId'))).toBe(31337)
    expect(a.resumed).toBe(false)
    const accounts: string[] = await rpcCall(a.url, 'eth_accounts')
    expect(accounts).toHaveLength(60)
    expect(accounts[0].toLowerCase()).toBe(ACCOUNT0.toLowerCase())
    expect(BigInt(await rpcCall(a.url, 'eth_getBalance', [accounts[59], 'latest']))).toBe(10n ** 24n)
    await a.stop()
    expect(isAlive(a.pid)).toBe(false)
})

test('interval mining with a fractional block time', async () => {
    const a = await start({ blockTime: 0.2 })
    const b0 = Number(await rpcCall(a.url, 'eth_blockNumber'))
    await new Promise((r) => setTimeout(r, 1100))
    const b1 = Number(await rpcCall(a.url, 'eth_blockNumber'))
    expect(b1 - b0).toBeGreaterThanOrEqual(3)
})

test('state resume: blocks, hashes, traces survive stop/start', async () => {
    const dataDir = path.join(tmp, 'resume')
    const port = await freePort()
    const a = await start({ dataDir, port, blockTime: 0 })
    expect(a.resumed).toBe(false)
    // a contract whose code CALLs 0x…dead, so the trace has a nested call
    const runtime = '6000600060006000600073' + 'dead'.padStart(40, '0') + '5af100'
    const deploy = await rpcCall(a.url, 'eth_sendTransaction', [{ from: ACCOUNT0, data: '0x6022600c60003960226000f3' + runtime }])
    const contract = (await receipt(a.url, deploy)).contractAddress
    const callTx = await rpcCall(a.url, 'eth_sendTransaction', [{ from: ACCOUNT0, to: contract, gas: '0x100000' }])
    const callBlock = (await receipt(a.url, callTx)).blockNumber
    await rpcCall(a.url, 'anvil_mine', ['0x5'])
    const head = Number(await rpcCall(a.url, 'eth_blockNumber'))
    expect(head).toBe(7)
    const callBlockHash = (await rpcCall(a.url, 'eth_getBlockByNumber', [callBlock, false])).hash
    const headHash = (await rpcCall(a.url, 'eth_getBlockByNumber', ['latest', false])).hash
    await a.stop()
    expect(fs.existsSync(path.join(dataDir, 'state.json'))).toBe(true)

    const b = await start({ dataDir, port, blockTime: 0 })
    expect(b.resumed).toBe(true)
    expect(b.blockNumber).toBe(head)
    expect((await rpcCall(b.url, 'eth_getBlockByNumber', [callBlock, false])).hash).toBe(callBlockHash)
    expect((await rpcCall(b.url, 'eth_getBlockByNumber', ['latest', false])).hash).toBe(headHash)
    expect(await blockHashAt(b.url, head)).toBe(headHash)
    expect(await blockHashAt(b.url, head + 100)).toBeUndefined()
    expect(await rpcCall(b.url, 'eth_getCode', [contract, 'latest'])).toBe('0x' + runtime)
    // trace_block (squid with preferTraceApi) works for pre-restart blocks
    const parity = await rpcCall(b.url, 'trace_block', [callBlock])
    expect(parity).toHaveLength(2)
    expect(parity[1].action.to).toBe('0x' + 'dead'.padStart(40, '0'))
    // re-execution does not (no historical states in the dump by default)
    const debug = await rpcCall(b.url, 'debug_traceBlockByHash', [callBlockHash, { tracer: 'callTracer' }])
    expect(debug[0].error).toBeDefined()
    // the chain continues from there
    await rpcCall(b.url, 'evm_mine')
    expect(Number(await rpcCall(b.url, 'eth_blockNumber'))).toBe(head + 1)
})

test('historyStates: debug traces of pre-restart blocks keep working', async () => {
    const dataDir = path.join(tmp, 'history')
    const port = await freePort()
    const a = await start({ dataDir, port, blockTime: 0, historyStates: 16 })
    const runtime = '6000600060006000600073' + 'dead'.padStart(40, '0') + '5af100'
    const deploy = await rpcCall(a.url, 'eth_sendTransaction', [{ from: ACCOUNT0, data: '0x6022600c60003960226000f3' + runtime }])
    const contract = (await receipt(a.url, deploy)).contractAddress
    const callTx = await rpcCall(a.url, 'eth_sendTransaction', [{ from: ACCOUNT0, to: contract, gas: '0x100000' }])
    const blockHash = (await receipt(a.url, callTx)).blockHash
    await a.stop()
    const b = await start({ dataDir, port, blockTime: 0, historyStates: 16 })
    expect(b.resumed).toBe(true)
    const traces = await rpcCall(b.url, 'debug_traceBlockByHash', [blockHash, { tracer: 'callTracer' }])
    expect(traces[0].result.calls[0].to).toBe('0x' + 'dead'.padStart(40, '0'))
})

test('unloadable state file → moved aside, fresh chain, resumed=false', async () => {
    const dataDir = path.join(tmp, 'corrupt')
    fs.mkdirSync(dataDir, { recursive: true })
    fs.writeFileSync(path.join(dataDir, 'state.json'), '{"truncated": ')
    const a = await start({ dataDir })
    expect(a.resumed).toBe(false)
    expect(a.blockNumber).toBe(0)
    expect(a.corruptStateFile).toBeDefined()
    expect(fs.readFileSync(a.corruptStateFile!, 'utf8')).toBe('{"truncated": ')
    expect(logs.some((l) => l.includes('starting a FRESH chain'))).toBe(true)
})

test('an anvil left over from a killed run is stopped (and its state kept)', async () => {
    const dataDir = path.join(tmp, 'orphan')
    const port = await freePort()
    const a = await start({ dataDir, port, blockTime: 0 })
    await rpcCall(a.url, 'anvil_mine', ['0x3'])
    running = [] // forget it, as if our process had been SIGKILLed
    const b = await start({ dataDir, port, blockTime: 0 })
    expect(isAlive(a.pid)).toBe(false)
    expect(b.resumed).toBe(true)
    expect(b.blockNumber).toBe(3)
})

test('clear error when the port is taken', async () => {
    const a = await start()
    const err = await startAnvil({ port: a.port }).catch((e) => e)
    expect(err).toBeInstanceOf(AnvilError)
    expect(err.message).toContain(`port ${a.port}`)
    expect(err.message).toContain('already in use')
})

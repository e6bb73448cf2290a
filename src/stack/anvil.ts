/**
 * Local anvil node (npm @foundry-rs/anvil) for development and simulation.
 *
 * Persistence: with a `dataDir`, anvil runs with `--state <dataDir>/state.json`
 * (load at start, dump on SIGINT/SIGTERM), so `npm start` after Ctrl-C
 * continues the same chain: same blocks and hashes, receipts, logs and
 * `trace_block` traces, so the processor's database stays valid.
 * If the state file exists but anvil cannot load it, it is moved aside
 * (state.json.corrupt-<time>), anvil starts a fresh chain and `resumed` is
 * false: the caller must then reset the database.
 * Only a clean stop writes the state: after a SIGKILL/crash the chain goes back
 * to the last dump (or `stateInterval`), possibly behind the database; callers
 * should compare the DB head with the chain (block hash at the DB height).
 *
 * Tracing (verified against anvil 1.7.1 with a contract making an internal CALL):
 * - `trace_block`, `trace_replayBlockTransactions` (trace + stateDiff),
 *   `debug_traceBlockByNumber`/`debug_traceBlockByHash`/`debug_traceTransaction`
 *   with `callTracer` (nested calls) and `prestateTracer` (diffMode) all work
 *   WITHOUT `--steps-tracing`. That flag only fills `structLogs` of the default
 *   opcode tracer, which the squid processor does not use, so we do not pass it.
 * - After a restart from `--state`, `trace_block` works for every old block
 *   (traces are stored with the transactions), but everything that re-executes
 *   (debug_traceBlockByHash, trace_replayBlockTransactions, eth_call/eth_getBalance
 *   at old heights) fails for blocks mined before the restart ("Resource not
 *   found" / BlockOutOfRangeError): the historical states are not in the dump.
 *   => a squid processor on anvil should use `preferTraceApi: true` (then it
 *   fetches call traces with trace_block), unless it needs state diffs.
 * - `--preserve-historical-states` would put them in the dump, but as FULL
 *   snapshots per block: 371 MB for 2 088 blocks with 60 accounts. Bounded
 *   with `--prune-history N` (26 MB for N=64), but that also limits re-execution
 *   at RUNTIME to the last N blocks. Opt in with `historyStates: N`.
 */
import * as fs from 'fs'
import * as path from 'path'
import type { ChildProcess } from 'child_process'
import { projectRoot } from '../paths'
import { firstErrorLine, launchRecoveringState, stopOrphan, stopper } from './anvil-process'
import { rpcCall } from './json-rpc'
import { log } from './log'
import { spawnManaged } from './processes'
import { isPortFree } from './util'

export { blockHashAt, rpcCall } from './json-rpc'

/** anvil's default mnemonic: account 0 = 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266 */
export const ANVIL_DEFAULT_MNEMONIC = 'test test test test test test test test test test test junk'

export interface AnvilOptions {
    port: number
    /** seconds between blocks (fractions allowed); 0/undefined → automine (a block per tx) */
    blockTime?: number
    /** default 31337 */
    chainId?: number
    /** keep state.json, anvil.log and anvil.pid here; without it the chain is ephemeral */
    dataDir?: string
    /** default <dataDir>/state.json */
    stateFile?: string
    /**
     * Keep the last N block states across restarts (`--preserve-historical-states
     * --prune-history N`): debug traces / eth_call of the last N pre-restart blocks
     * keep working, but anvil then keeps only N states at runtime too, and the
     * dump grows by a full state snapshot per block (~0.4 MB each with 60 accounts).
     * Default 0: no historical states in the dump, full history at runtime.
     */
    historyStates?: number
    /** also dump the state every N seconds (crash safety); default: only on exit */
    stateInterval?: number
    /** dev accounts, default 60 */
    accounts?: number
    /** ETH per dev account, default 1_000_000 */
    balance?: number
    /** default ANVIL_DEFAULT_MNEMONIC */
    mnemonic?: string
    extraArgs?: string[]
    /** default 30000 (loading a large state takes a while) */
    startTimeoutMs?: number
    /** echo every anvil output line to the log (default: errors/warnings only; all lines go to <dataDir>/anvil.log) */
    verbose?: boolean
    /** explicit anvil binary */
    binary?: string
    /** log component name, default 'anvil' */
    name?: string
}

export interface Anvil {
    url: string
    port: number
    chainId: number
    /** true when the chain was loaded from an existing state file */
    resumed: boolean
    /** set when the existing state file could not be loaded and was moved here */
    corruptStateFile?: string
    stateFile?: string
    /** head block number right after start */
    blockNumber: number
    process: ChildProcess
    pid: number
    /** SIGTERM → anvil dumps its state and exits; SIGKILL after 60 s. Idempotent. */
    stop(): Promise<void>
    /** SIGKILL now (no state dump) */
    kill(): void
    exited: Promise<unknown>
}

export class AnvilError extends Error {
    constructor(message: string) {
        super(message)
        this.name = 'AnvilError'
    }
}

/** Path of the native anvil binary: the one resolver forge also uses (scripts/foundry-bin.js: npm package, else PATH). */
export function anvilBinary(): string {
    const { foundryBinary } = require(path.join(projectRoot(), 'scripts', 'foundry-bin.js')) as { foundryBinary(tool: string): string }
    try {
        return foundryBinary('anvil')
    } catch (e: any) {
        throw new AnvilError(e.message)
    }
}

export async function startAnvil(opts: AnvilOptions): Promise<Anvil> {
    const t0 = Date.now()
    const name = opts.name ?? 'anvil'
    const chainId = opts.chainId ?? 31337
    const host = '127.0.0.1'
    const url = `http://${host}:${opts.port}`
    const bin = opts.binary ?? anvilBinary()

    const dataDir = opts.dataDir ? path.resolve(opts.dataDir) : undefined
    const stateFile = opts.stateFile ? path.resolve(opts.stateFile) : dataDir ? path.join(dataDir, 'state.json') : undefined
    const pidFile = dataDir ? path.join(dataDir, 'anvil.pid') : undefined
    if (dataDir) fs.mkdirSync(dataDir, { recursive: true })
    if (stateFile) fs.mkdirSync(path.dirname(stateFile), { recursive: true })
    if (pidFile) await stopOrphan(pidFile, name)

    if (!(await isPortFree(opts.port, host))) {
        throw new AnvilError(`cannot start anvil: port ${opts.port} on ${host} is already in use (set ANVIL_PORT to another port, or RPC_URL to use that node)`)
    }

    const baseArgs = anvilArgs(opts, host, chainId, stateFile)

    const logStream = dataDir ? fs.createWriteStream(path.join(dataDir, 'anvil.log'), { flags: 'a' }) : undefined
    logStream?.write(`\n==== ${new Date().toISOString()} ${bin} ${baseArgs.join(' ')}\n`)

    const launch = () =>
        spawnManaged(name, bin, baseArgs, {
            stopSignal: 'SIGTERM',
            stopTimeoutMs: 60_000,
            output: (line) => {
                logStream?.write(line + '\n')
                if (opts.verbose || /\b(error|panic|warn(ing)?)\b/i.test(line)) log(name, line)
            },
        })

    const { proc, ready, hadState, corruptStateFile } = await launchRecoveringState(launch, url, stateFile, name, opts.startTimeoutMs ?? 30_000)
    if (!ready.ok) {
        await proc.stop()
        logStream?.end()
        throw new AnvilError(`anvil failed to start: ${ready.reason}${ready.output ? `: ${firstErrorLine(ready.output)}` : ''}`)
    }
    const resumed = hadState && !corruptStateFile

    const actualChainId = Number(await rpcCall(url, 'eth_chainId'))
    if (actualChainId !== chainId) {
        await proc.stop()
        logStream?.end()
        throw new AnvilError(`anvil reports chain id ${actualChainId}, expected ${chainId}`)
    }
    const blockNumber = Number(await rpcCall(url, 'eth_blockNumber'))
    if (pidFile) fs.writeFileSync(pidFile, String(proc.pid))

    const mining = opts.blockTime && opts.blockTime > 0 ? `block time ${opts.blockTime} s` : 'automine'
    const persistence = stateFile ? (resumed ? `resumed from ${stateFile} at block ${blockNumber}` : `fresh chain, state → ${stateFile}`) : 'ephemeral chain'
    log(name, `ready on ${url}, chain id ${chainId}, ${mining}, ${persistence} (${Date.now() - t0} ms, pid ${proc.pid})`)

    proc.exited.then(({ code, signal }) => {
        if (!proc.stopRequested) log(name, `anvil exited unexpectedly (${signal ?? `code ${code}`}): ${firstErrorLine(proc.tail.text())}`)
        logStream?.end()
    })

    return {
        url,
        port: opts.port,
        chainId,
        resumed,
        corruptStateFile,
        stateFile,
        blockNumber,
        process: proc.child,
        pid: proc.pid,
        exited: proc.exited,
        kill: () => proc.kill(),
        stop: stopper(proc, url, name, pidFile, stateFile),
    }
}

/** anvil's command line for `opts`: address, chain id, dev accounts, mining, state persistence, extra arguments. */
function anvilArgs(opts: AnvilOptions, host: string, chainId: number, stateFile: string | undefined): string[] {
    const args = [
        '--host', host,
        '--port', String(opts.port),
        '--chain-id', String(chainId),
        '--accounts', String(opts.accounts ?? 60),
        '--balance', String(opts.balance ?? 1_000_000),
        '--mnemonic', opts.mnemonic ?? ANVIL_DEFAULT_MNEMONIC,
        '--color', 'never',
    ]
    if (opts.blockTime && opts.blockTime > 0) args.push('--block-time', String(opts.blockTime))
    if (stateFile) {
        args.push('--state', stateFile)
        if (opts.historyStates && opts.historyStates > 0) {
            args.push('--preserve-historical-states', '--prune-history', String(opts.historyStates))
        }
        if (opts.stateInterval) args.push('--state-interval', String(opts.stateInterval))
    }
    args.push(...(opts.extraArgs ?? []))
    return args
}

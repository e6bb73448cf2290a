/**
 * The anvil process's lifecycle around startAnvil (anvil.ts): an anvil left running by an earlier run is stopped
 * (it saves its state); a state file anvil cannot load is moved aside and a fresh chain started; readiness is an
 * answer to eth_chainId; stopping reports whether the state was saved.
 */
import * as fs from 'fs'
import * as path from 'path'
import { rpcCall } from './json-rpc'
import { log } from './log'
import type { ManagedProcess } from './processes'
import { isAlive, processCmdline, sleep, waitUntilDead } from './util'

function stampName(file: string, suffix: string) {
    const ts = new Date().toISOString().replace(/[:.]/g, '-')
    return `${file}.${suffix}-${ts}`
}

/** Stop the anvil whose pid `pidFile` records, if it is still running (SIGTERM: it dumps its state). */
export async function stopOrphan(pidFile: string, name: string) {
    let pid: number
    try {
        pid = Number(fs.readFileSync(pidFile, 'utf8').trim())
    } catch {
        return
    }
    const cmd = isAlive(pid) ? processCmdline(pid) : undefined
    if (cmd && path.basename(cmd[0] ?? '').startsWith('anvil')) {
        log(name, `an anvil from an earlier run (pid ${pid}) is still running; stopping it (it saves its state)`)
        try {
            process.kill(pid, 'SIGTERM')
        } catch {
            // gone meanwhile
        }
        if (!(await waitUntilDead(pid, 60_000))) {
            process.kill(pid, 'SIGKILL')
            await waitUntilDead(pid, 5000)
        }
    }
    fs.rmSync(pidFile, { force: true })
}

/**
 * Launch anvil and wait until it answers. When it fails on a state file it cannot load, move that file aside
 * (`<state>.corrupt-<time>`) and launch once more on a fresh chain.
 */
export async function launchRecoveringState(
    launch: () => ManagedProcess,
    url: string,
    stateFile: string | undefined,
    name: string,
    timeoutMs: number,
): Promise<{ proc: ManagedProcess; ready: Ready; hadState: boolean; corruptStateFile?: string }> {
    const hadState = stateFile != null && fs.existsSync(stateFile) && fs.statSync(stateFile).size > 0
    let corruptStateFile: string | undefined
    let proc = launch()
    let ready = await waitReady(proc, url, timeoutMs)
    if (!ready.ok && hadState && /state/i.test(ready.output) && /(parse|load|invalid|deserializ|missing field|EOF)/i.test(ready.output)) {
        corruptStateFile = stampName(stateFile!, 'corrupt')
        fs.renameSync(stateFile!, corruptStateFile)
        log(name, `cannot load ${stateFile} (${firstErrorLine(ready.output)}); moved it to ${path.basename(corruptStateFile)} and starting a FRESH chain`)
        proc = launch()
        ready = await waitReady(proc, url, timeoutMs)
    }
    return { proc, ready, hadState, corruptStateFile }
}

/** Stop anvil (SIGTERM: it dumps its state), once, logging the height it stopped at and whether the state was saved. */
export function stopper(proc: ManagedProcess, url: string, name: string, pidFile?: string, stateFile?: string): () => Promise<void> {
    let stopping: Promise<void> | undefined
    return () => {
        if (stopping) return stopping
        return (stopping = (async () => {
            if (!proc.running) return
            let head: number | undefined
            try {
                head = Number(await rpcCall(url, 'eth_blockNumber', [], 2000))
            } catch {
                // unresponsive: still try to stop it
            }
            const t = Date.now()
            const { code, signal } = await proc.stop()
            if (pidFile) fs.rmSync(pidFile, { force: true })
            const where = head != null ? ` at block ${head}` : ''
            if (stateFile && code === 0 && fs.existsSync(stateFile)) {
                const kb = Math.round(fs.statSync(stateFile).size / 1024)
                log(name, `stopped${where}, state saved to ${stateFile} (${kb} KB, ${Date.now() - t} ms)`)
            } else if (stateFile) {
                log(name, `stopped${where} (${signal ?? `code ${code}`}); state may NOT have been saved`)
            } else {
                log(name, `stopped${where}`)
            }
        })())
    }
}

export type Ready = { ok: true } | { ok: false; reason: string; output: string }

export async function waitReady(proc: ManagedProcess, url: string, timeoutMs: number): Promise<Ready> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
        if (!proc.running) {
            // let the remaining output arrive
            await Promise.race([proc.exited, sleep(500)])
            await sleep(20)
            const { code, signal } = await Promise.race([proc.exited, sleep(500).then(() => ({ code: null, signal: null }))])
            return { ok: false, reason: `exited (${signal ?? `code ${code}`})`, output: proc.tail.text() }
        }
        try {
            await rpcCall(url, 'eth_chainId', [], 1000)
            return { ok: true }
        } catch {
            // not listening yet
        }
        if (Date.now() > deadline) return { ok: false, reason: `no answer to eth_chainId on ${url} within ${timeoutMs} ms`, output: proc.tail.text() }
        await sleep(50)
    }
}

export function firstErrorLine(text: string): string {
    const lines = text.split('\n').map((l) => l.trim()).filter(Boolean)
    return lines.find((l) => /error/i.test(l)) ?? lines[lines.length - 1] ?? ''
}

import { spawn } from 'child_process'
import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'
import { setLogSink } from '../../src/stack/log'
import {
    forceKillAll,
    installSignalHandlers,
    ManagedProcess,
    onShutdown,
    parentGuardFile,
    registerProcess,
    resetShutdownState,
    runNodeProcess,
    shutdownAll,
    spawnManaged,
} from '../../src/stack/processes'
import { isAlive, waitUntilDead } from '../../src/stack/util'

jest.setTimeout(30_000)

const logs: string[] = []
let tmp: string
const started: ManagedProcess[] = []

function script(name: string, code: string): string {
    const file = path.join(tmp, name)
    fs.writeFileSync(file, code)
    return file
}

beforeAll(() => {
    setLogSink((l) => {
        logs.push(l)
        if (process.env.STACK_TEST_LOGS) process.stdout.write(l + '\n')
    })
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-proc-'))
})

afterEach(() => {
    for (const p of started.splice(0)) p.kill()
    forceKillAll()
    resetShutdownState()
})

afterAll(() => {
    setLogSink(null)
    fs.rmSync(tmp, { recursive: true, force: true })
})

test('runNodeProcess: inherited env + [name] prefixed lines on stdout/stderr', async () => {
    const file = script('hello.js', `
        console.log('hello from child ' + process.env.STACK_TEST_VAR + ' ' + process.env.EXTRA)
        process.stdout.write('partial line without newline')
        console.error('to stderr')
    `)
    process.env.STACK_TEST_VAR = 'inherited'
    const writes: string[] = []
    const out = jest.spyOn(process.stdout, 'write').mockImplementation((s: any) => (writes.push(String(s)), true))
    const err = jest.spyOn(process.stderr, 'write').mockImplementation((s: any) => (writes.push('ERR:' + String(s)), true))
    try {
        const p = runNodeProcess('worker', file, { env: { EXTRA: 'extra' }, critical: false })
        started.push(p)
        expect(await p.exited).toEqual({ code: 0, signal: null })
        await new Promise((r) => setTimeout(r, 50)) // flush pipes
    } finally {
        out.mockRestore()
        err.mockRestore()
        delete process.env.STACK_TEST_VAR
    }
    expect(writes).toContain('[worker] hello from child inherited extra\n')
    expect(writes).toContain('[worker] partial line without newline\n')
    expect(writes).toContain('ERR:[worker] to stderr\n')
})

test('missing lib entry → clear error', () => {
    expect(() => runNodeProcess('proc', 'lib/does-not-exist.js')).toThrow('lib/does-not-exist.js does not exist (run `npm run build` first)')
})

test('shutdownAll runs steps in reverse registration order and forwards the signal', async () => {
    const order: string[] = []
    onShutdown('postgres', () => order.push('postgres'))
    onShutdown('anvil', async () => {
        await new Promise((r) => setTimeout(r, 50))
        order.push('anvil')
    })
    const file = script('graceful.js', `
        process.on('SIGINT', () => { console.log('got SIGINT, cleaning up'); setTimeout(() => process.exit(0), 100) })
        console.log('ready')
        setInterval(() => {}, 1000)
    `)
    const lines: string[] = []
    const p = runNodeProcess('processor', file, { output: (l) => lines.push(l) })
    started.push(p)
    p.exited.then(({ code }) => order.push(`processor exit=${code}`))
    await waitFor(() => lines.includes('ready'))
    registerProcess(p)
    onShutdown('failing step', () => {
        throw new Error('boom')
    })
    await shutdownAll('SIGINT')
    expect(lines).toContain('got SIGINT, cleaning up')
    // the processor (registered last) is stopped first and has exited before anvil's step ran
    expect(order).toEqual(['processor exit=0', 'anvil', 'postgres'])
    expect(logs.some((l) => l.includes('error while stopping failing step: boom'))).toBe(true)
})

test('stop escalates to SIGKILL after the timeout', async () => {
    const file = script('stubborn.js', `
        process.on('SIGTERM', () => console.log('ignoring SIGTERM'))
        console.log('ready')
        setInterval(() => {}, 1000)
    `)
    const lines: string[] = []
    const p = spawnManaged('stubborn', process.execPath, [file], { stopTimeoutMs: 300, output: (l) => lines.push(l) })
    started.push(p)
    await waitFor(() => lines.includes('ready'))
    const t = Date.now()
    const exit = await p.stop()
    expect(exit.signal).toBe('SIGKILL')
    expect(Date.now() - t).toBeGreaterThanOrEqual(280)
    expect(lines).toContain('ignoring SIGTERM')
})

test('a critical child exiting on its own shuts the stack down with its exit code', async () => {
    const exit = jest.spyOn(process, 'exit').mockImplementation((() => undefined) as any)
    try {
        const stopped: string[] = []
        onShutdown('postgres', () => stopped.push('postgres'))
        const p = runNodeProcess('processor', script('crash.js', `console.error('fatal: cannot connect'); process.exit(3)`), { output: 'ignore' })
        started.push(p)
        await p.exited
        await waitFor(() => exit.mock.calls.length > 0)
        expect(exit).toHaveBeenCalledWith(3)
        expect(stopped).toEqual(['postgres'])
        expect(logs.some((l) => l.includes('processor exited with code 3 unexpectedly, shutting down'))).toBe(true)
    } finally {
        exit.mockRestore()
    }
})

test('Node children exit when the parent is SIGKILLed (parent guard)', async () => {
    const child = script('child.js', `console.log('child ' + process.pid); setInterval(() => {}, 1000)`)
    // a parent that spawns the child the way runNodeProcess does, then waits to be killed
    const parent = script('parent.js', `
        const { spawn } = require('child_process')
        const c = spawn(process.execPath, ['--require', ${JSON.stringify(parentGuardFile())}, ${JSON.stringify(child)}], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], detached: true })
        setInterval(() => {}, 1000)
    `)
    const p = spawn(process.execPath, [parent], { stdio: ['ignore', 'pipe', 'inherit'] })
    const childPid = await new Promise<number>((resolve) => {
        p.stdout!.on('data', (d) => {
            const m = /child (\d+)/.exec(String(d))
            if (m) resolve(Number(m[1]))
        })
    })
    expect(isAlive(childPid)).toBe(true)
    p.kill('SIGKILL')
    expect(await waitUntilDead(childPid, 5000)).toBe(true)
})

test('signal handlers: first SIGINT → graceful shutdown, second → force kill + exit(130)', async () => {
    const before = new Set(process.listeners('SIGINT'))
    const exit = jest.spyOn(process, 'exit').mockImplementation((() => undefined) as any)
    try {
        const events: string[] = []
        let release!: () => void
        onShutdown(
            'slow',
            () => new Promise<void>((r) => (release = () => (events.push('slow stopped'), r()))),
            () => events.push('slow killed'),
        )
        installSignalHandlers()
        process.emit('SIGINT' as any)
        await new Promise((r) => setTimeout(r, 20))
        expect(events).toEqual([])
        expect(exit).not.toHaveBeenCalled()
        process.emit('SIGINT' as any)
        expect(exit).toHaveBeenCalledWith(130)
        expect(events).toEqual(['slow killed'])
        // the graceful path finishing later must not matter either
        release()
        await new Promise((r) => setTimeout(r, 20))
    } finally {
        exit.mockRestore()
        for (const l of process.listeners('SIGINT')) if (!before.has(l)) process.removeListener('SIGINT', l)
        for (const sig of ['SIGTERM', 'SIGHUP'] as const) for (const l of process.listeners(sig)) process.removeListener(sig, l)
    }
    expect(logs.some((l) => l.includes('SIGINT received, shutting down'))).toBe(true)
    expect(logs.some((l) => l.includes('SIGINT received again, killing everything'))).toBe(true)
})

async function waitFor(cond: () => boolean, timeoutMs = 5000) {
    const deadline = Date.now() + timeoutMs
    while (!cond()) {
        if (Date.now() > deadline) throw new Error('timeout')
        await new Promise((r) => setTimeout(r, 10))
    }
}

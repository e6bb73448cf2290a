import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'
import { resetShutdownState, shutdownAll } from '../../src/stack/processes'
import { supervise } from '../../src/stack/supervise'
import { setLogSink } from '../../src/stack/log'

describe('supervise', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'supervise-'))
    const counter = path.join(dir, 'runs')
    const script = path.join(dir, 'crash.js')
    const lines: string[] = []

    beforeAll(() => {
        // Each run appends a line, then crashes after 100 ms.
        fs.writeFileSync(script, `require('fs').appendFileSync(${JSON.stringify(counter)}, 'run\\n'); setTimeout(() => process.exit(3), 100)`)
        setLogSink((l) => lines.push(l))
    })
    afterAll(() => {
        setLogSink(null)
        resetShutdownState()
        fs.rmSync(dir, { recursive: true, force: true })
    })

    const runs = () => (fs.existsSync(counter) ? fs.readFileSync(counter, 'utf8').split('\n').filter(Boolean).length : 0)

    it('restarts a crashing process with backoff and stops restarting on shutdown', async () => {
        supervise('crasher', script, { initialBackoffMs: 100, maxBackoffMs: 400, output: 'ignore' })
        const deadline = Date.now() + 20_000
        while (runs() < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
        expect(runs()).toBeGreaterThanOrEqual(3)
        expect(lines.some((l) => /crasher exited with code 3; restarting in/.test(l))).toBe(true)
        await shutdownAll('SIGTERM')
        const after = runs()
        await new Promise((r) => setTimeout(r, 1000))
        expect(runs()).toBe(after)
    }, 30_000)
})

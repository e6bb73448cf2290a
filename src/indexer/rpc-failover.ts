/**
 * RPC failover for the processor: a JSON-RPC forwarder on 127.0.0.1 (a random port, inside the processor's own
 * process) that squid's RPC client is pointed at when RPC_URL lists several endpoints.
 *
 * Why a forwarder and not a custom client: squid 1.27 builds its RpcClient itself, in
 * EvmBatchProcessor#getChainRpcClient, from the one URL given to setRpcEndpoint, and the client picks its transport
 * in a private method (RpcClient#createConnection). Plugging a failover client in would mean replacing private
 * parts of both; the forwarder uses only the public setRpcEndpoint(url), so squid's batching, rate limit, capacity,
 * retries and metrics apply unchanged, and the endpoints are chosen by src/rpc/failover.ts. The cost is one
 * loopback hop per request.
 *
 * When every endpoint fails, the forwarder answers HTTP 503, which squid retries with its backoff (an upstream
 * HTTP 500 or truncated body would have been fatal for squid: through the forwarder it is one failed attempt).
 */
import * as http from 'http'
import type { AddressInfo } from 'net'
import { createLogger } from '@subsquid/logger'
import type { RpcFailoverSettings } from '../config'
import { FailoverEvent, FailoverRpc, RpcUnavailableError } from '../rpc/failover'

const log = createLogger('sqd:processor:rpc-failover')

/** Largest request body accepted from squid (its batches are a few hundred calls). */
const MAX_BODY_BYTES = 32 * 1024 * 1024

export interface RpcForwarder {
    /** http://127.0.0.1:<port>: the URL to give squid */
    url: string
    rpc: FailoverRpc
    close(): Promise<void>
}

function logEvent(e: FailoverEvent): void {
    if (e.kind === 'failed') log.warn(`RPC endpoint ${e.endpoint + 1} (${e.url}) failed: ${e.reason}; using the next one, retrying it later`)
    else log.info(`RPC endpoint ${e.endpoint + 1} (${e.url}) answers again`)
}

export async function startRpcForwarder(urls: string[], settings: RpcFailoverSettings): Promise<RpcForwarder> {
    const rpc = new FailoverRpc(urls, settings, logEvent)
    const server = http.createServer((req, res) => {
        if (req.method !== 'POST') {
            res.writeHead(405).end()
            return
        }
        const chunks: Buffer[] = []
        let size = 0
        req.on('data', (c: Buffer) => {
            size += c.length
            if (size > MAX_BODY_BYTES) req.destroy()
            else chunks.push(c)
        })
        req.on('end', () => {
            rpc.post(Buffer.concat(chunks).toString('utf8')).then(
                (a) => res.writeHead(200, { 'content-type': 'application/json' }).end(a.text),
                (e) => {
                    const msg = e instanceof RpcUnavailableError ? e.message : `forwarder: ${e?.message ?? e}`
                    res.writeHead(503, { 'content-type': 'text/plain' }).end(msg)
                },
            )
        })
        req.on('error', () => res.destroy())
    })
    server.keepAliveTimeout = 30_000
    await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(0, '127.0.0.1', () => resolve())
    })
    // the processor runs until its process ends; never keep a finished one alive for the forwarder alone
    server.unref()
    const port = (server.address() as AddressInfo).port
    log.info(`RPC failover over ${urls.length} endpoints (${rpc.stats().map((s) => s.url).join(', ')}), first preferred`)
    return {
        url: `http://127.0.0.1:${port}`,
        rpc,
        close: () =>
            new Promise<void>((resolve) => {
                server.closeAllConnections()
                server.close(() => resolve())
            }),
    }
}

/**
 * The signer's provider when RPC_URL lists several endpoints: an ethers JsonRpcProvider whose transport is
 * src/rpc/failover.ts (transport failures and timeouts move to the next endpoint, the first comes back once it
 * answers again). Everything above the transport (batching, errors, receipts) is ethers' own.
 *
 * A broadcast whose attempt failed ambiguously on one endpoint (timed out, cut off: it may have been delivered) is
 * sent again to the next: the same signed transaction. If that node refuses it as "already known" or "nonce too
 * low", the provider asks it for the transaction by hash; when the node has it, the broadcast succeeded (the first
 * attempt got through) and the hash is the answer. Without this a mined transaction would look like a nonce error
 * and TxSender would sign the next nonce for the same request.
 */
import { JsonRpcPayload, JsonRpcProvider, JsonRpcResult, keccak256 } from 'ethers'
import type { RpcFailoverSettings } from '../../config'
import { FailoverEvent, FailoverRpc } from '../../rpc/failover'
import { log } from '../../stack/log'

/** One line per change of an endpoint's state (not per failed request). */
export function logFailoverEvent(e: FailoverEvent): void {
    if (e.kind === 'failed') log('api', `WARN signer RPC endpoint ${e.endpoint + 1} (${e.url}) failed: ${e.reason}; using the next one`)
    else log('api', `signer RPC endpoint ${e.endpoint + 1} (${e.url}) answers again`)
}

export class FailoverJsonRpcProvider extends JsonRpcProvider {
    readonly rpc: FailoverRpc

    constructor(urls: string[], chainId: number | undefined, settings: RpcFailoverSettings, onEvent?: (e: FailoverEvent) => void) {
        super(urls[0], chainId, { staticNetwork: true, batchMaxCount: 1 })
        this.rpc = new FailoverRpc(urls, settings, onEvent ?? logFailoverEvent)
    }

    override async _send(payload: JsonRpcPayload | JsonRpcPayload[]): Promise<JsonRpcResult[]> {
        const answer = await this.rpc.post(JSON.stringify(payload))
        const results = (Array.isArray(answer.json) ? answer.json : [answer.json]) as (JsonRpcResult & { error?: { message?: string } })[]
        const one = Array.isArray(payload) ? (payload.length === 1 ? payload[0] : undefined) : payload
        if (one?.method === 'eth_sendRawTransaction' && answer.failedAttempts > 0 && results.length === 1 && results[0].error) {
            const raw = String((one.params as unknown[])[0])
            if (/already known|known transaction|nonce too low/i.test(results[0].error.message ?? '')) {
                const hash = keccak256(raw)
                const found = await this.rpc.post(JSON.stringify({ jsonrpc: '2.0', id: one.id, method: 'eth_getTransactionByHash', params: [hash] }))
                if ((found.json as { result?: unknown })?.result) return [{ id: one.id, result: hash }]
            }
        }
        return results
    }
}

/** One provider for `urls`: plain for one endpoint, failover for several. */
export function rpcProvider(urls: string[], chainId: number | undefined, settings: RpcFailoverSettings, onEvent?: (e: FailoverEvent) => void): JsonRpcProvider {
    if (urls.length > 1) return new FailoverJsonRpcProvider(urls, chainId, settings, onEvent)
    return new JsonRpcProvider(urls[0], chainId, { staticNetwork: true, batchMaxCount: 1 })
}

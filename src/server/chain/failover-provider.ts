/**
 * The signer's provider when RPC_URL lists several endpoints: an ethers JsonRpcProvider whose transport is
 * src/rpc/failover.ts (transport failures and timeouts move to the next endpoint, the first comes back once it
 * answers again). Everything above the transport (batching, errors, receipts) is ethers' own.
 *
 * A broadcast that timed out on one endpoint is sent again to the next: the same signed transaction, so the node
 * answers "already known" (TxSender treats it as sent) or "nonce too low" when it was mined (the idempotency
 * record then finds it by hash: tx-mutation.ts).
 */
import { JsonRpcPayload, JsonRpcProvider, JsonRpcResult } from 'ethers'
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
        super(urls[0], chainId, { staticNetwork: chainId !== undefined, batchMaxCount: 1 })
        this.rpc = new FailoverRpc(urls, settings, onEvent ?? logFailoverEvent)
    }

    override async _send(payload: JsonRpcPayload | JsonRpcPayload[]): Promise<JsonRpcResult[]> {
        const { json } = await this.rpc.post(JSON.stringify(payload))
        return (Array.isArray(json) ? json : [json]) as JsonRpcResult[]
    }
}

/** One provider for `urls`: plain for one endpoint, failover for several. */
export function rpcProvider(urls: string[], chainId: number | undefined, settings: RpcFailoverSettings, onEvent?: (e: FailoverEvent) => void): JsonRpcProvider {
    if (urls.length > 1) return new FailoverJsonRpcProvider(urls, chainId, settings, onEvent)
    return new JsonRpcProvider(urls[0], chainId, { staticNetwork: chainId !== undefined, batchMaxCount: 1 })
}

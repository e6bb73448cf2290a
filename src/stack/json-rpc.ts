/** Plain JSON-RPC calls to a node (anvil or any other), for the stack's own checks, the tests and the benchmarks. */

export async function rpcCall<T = any>(url: string, method: string, params: unknown[] = [], timeoutMs = 5000): Promise<T> {
    const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
        signal: AbortSignal.timeout(timeoutMs),
    })
    const body: any = await res.json()
    if (body.error) throw new Error(`${method}: ${body.error.message ?? JSON.stringify(body.error)}`)
    return body.result as T
}

/**
 * Hash of the block at `height`, or undefined if the chain is shorter. Compare
 * it with the processor's last indexed block to detect a chain that went back
 * (crash or forced kill of anvil after the last state dump) → reset the DB.
 */
export async function blockHashAt(url: string, height: number): Promise<string | undefined> {
    const b = await rpcCall<{ hash: string } | null>(url, 'eth_getBlockByNumber', ['0x' + height.toString(16), false])
    return b?.hash ?? undefined
}

import { JsonRpcProvider, Transaction, Wallet } from 'ethers'

/** What to send: built under the signer's lock, so a simulation sees every earlier transaction of this signer. */
export interface TxRequest {
    to: string
    data: string
    gasLimit: bigint
}

export interface SendHooks {
    /**
     * Called with the signed transaction right before it is broadcast (still under the lock). The idempotency
     * layer records hash and raw bytes here, so a crash after broadcasting can always be resolved later.
     * Throwing aborts the send (nothing broadcast, nonce not consumed).
     */
    beforeBroadcast?(tx: { hash: string; raw: string; nonce: number }): Promise<void>
}

export interface SentTx {
    hash: string
    raw: string
    nonce: number
    from: string
}

/**
 * The node refused the transaction, or we could not tell whether it got it. `ambiguous` means the request failed
 * without a JSON-RPC answer (network error, timeout): the transaction may be in the node's pool. `hash` and `raw`
 * are those of the last signed attempt.
 */
export class BroadcastError extends Error {
    constructor(
        message: string,
        readonly ambiguous: boolean,
        readonly hash: string,
        readonly raw: string,
        readonly cause: unknown,
    ) {
        super(message)
        this.name = 'BroadcastError'
    }
}

const DEFINITE_CODES = new Set(['NONCE_EXPIRED', 'INSUFFICIENT_FUNDS', 'REPLACEMENT_UNDERPRICED', 'CALL_EXCEPTION', 'TRANSACTION_REPLACED'])

function rpcMessage(e: any): string {
    return String(e?.info?.error?.message ?? e?.error?.message ?? e?.shortMessage ?? e?.message ?? e)
}

/** The node answered with a JSON-RPC error: the transaction is definitely not accepted. */
export function isDefiniteRejection(e: any): boolean {
    if (DEFINITE_CODES.has(e?.code)) return true
    return typeof e?.info?.error?.code === 'number' || typeof e?.error?.code === 'number'
}

function isNonceError(e: any): boolean {
    return e?.code === 'NONCE_EXPIRED' || e?.code === 'REPLACEMENT_UNDERPRICED' || /nonce too (low|high)|nonce.*(gap|already been used)|replacement transaction underpriced/i.test(rpcMessage(e))
}

function isAlreadyKnown(e: any): boolean {
    return /already known|known transaction|already imported/i.test(rpcMessage(e))
}

const MAX_NONCE_RETRIES = 3

/**
 * Sends the transactions of ONE signer, one at a time (a promise-chain mutex), with a locally tracked nonce:
 * concurrent mutations never race for a nonce. The nonce is read from the node's `pending` count on first use and
 * after any failed broadcast; a "nonce too low" answer (someone else used this account) re-signs with a fresh
 * nonce. Only nonce assignment, signing and broadcast hold the lock: receipts are awaited outside it.
 */
export class TxSender {
    readonly address: string
    private nonce: number | undefined
    private tail: Promise<unknown> = Promise.resolve()
    /** number of transactions this sender broadcast (for tests and metrics) */
    sentCount = 0

    constructor(
        private readonly wallet: Wallet,
        private readonly provider: JsonRpcProvider,
        private readonly chainId: bigint,
    ) {
        this.address = wallet.address
    }

    /** Run `fn` exclusively for this signer. */
    private locked<T>(fn: () => Promise<T>): Promise<T> {
        const run = this.tail.then(fn, fn)
        this.tail = run.catch(() => undefined)
        return run
    }

    /** Forget the tracked nonce: the next send reads it from the node. */
    resetNonce(): void {
        this.nonce = undefined
    }

    private async pendingNonce(): Promise<number> {
        return Number(await this.provider.send('eth_getTransactionCount', [this.address, 'pending']))
    }

    /**
     * Build (under the lock), sign and broadcast. `build` errors (e.g. a simulated revert) propagate unchanged and
     * consume no nonce. Broadcast failures throw BroadcastError.
     */
    send(build: (from: string) => Promise<TxRequest>, hooks: SendHooks = {}): Promise<SentTx> {
        return this.locked(async () => {
            for (let attempt = 0; ; attempt++) {
                const req = await build(this.address)
                if (this.nonce === undefined) this.nonce = await this.pendingNonce()
                const nonce = this.nonce
                const fees = await this.provider.getFeeData()
                const raw = await this.wallet.signTransaction({
                    type: 2,
                    chainId: this.chainId,
                    nonce,
                    to: req.to,
                    data: req.data,
                    value: 0n,
                    gasLimit: req.gasLimit,
                    maxFeePerGas: fees.maxFeePerGas ?? fees.gasPrice ?? undefined,
                    maxPriorityFeePerGas: fees.maxPriorityFeePerGas ?? 0n,
                })
                const hash = Transaction.from(raw).hash!
                await hooks.beforeBroadcast?.({ hash, raw, nonce })
                try {
                    await this.provider.send('eth_sendRawTransaction', [raw])
                } catch (e: any) {
                    if (isAlreadyKnown(e)) {
                        // exactly this transaction is already in the pool: it is sent
                    } else {
                        this.nonce = undefined
                        if (isDefiniteRejection(e) && isNonceError(e) && attempt < MAX_NONCE_RETRIES) continue
                        throw new BroadcastError(
                            `broadcast failed: ${rpcMessage(e)}`,
                            !isDefiniteRejection(e),
                            hash,
                            raw,
                            e,
                        )
                    }
                }
                this.nonce = nonce + 1
                this.sentCount++
                return { hash, raw, nonce, from: this.address }
            }
        })
    }
}

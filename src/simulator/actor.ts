import { Interface, JsonRpcProvider, TransactionResponse, Wallet } from 'ethers'
import { allErrorsInterface } from '../contracts'

let errors: Interface | undefined

/** The protocol's custom error behind a revert, e.g. `DisputeWindowOpen(0x…, 1700000000)`, when there is one. */
export function describeRevert(e: any): string {
    const data = e?.data ?? e?.info?.error?.data
    if (typeof data === 'string' && data.length >= 10) {
        errors ??= allErrorsInterface()
        const parsed = errors.parseError(data)
        if (parsed) return `reverted with ${parsed.name}(${parsed.args.map(String).join(', ')})`
    }
    return e?.shortMessage ?? e?.message ?? String(e)
}

/**
 * One simulated account. Its transactions go out one at a time (await the receipt, then the next), so
 * nonces never collide, and `busy` lets the scheduler skip an account that still has work in flight
 * instead of queueing without bound.
 */
export class Actor {
    readonly wallet: Wallet
    readonly address: string
    private chain: Promise<unknown> = Promise.resolve()
    private pending = 0

    constructor(
        key: string,
        provider: JsonRpcProvider,
        readonly label: string,
    ) {
        this.wallet = new Wallet(key, provider)
        this.address = this.wallet.address.toLowerCase()
    }

    get busy(): boolean {
        return this.pending > 0
    }

    /**
     * Like `run`, but resolves as soon as the node has accepted the transaction (it is in the pool, not mined),
     * with its hash and the mined status to come: for transactions that must land in a block mined on purpose.
     */
    submit(what: string, send: (w: Wallet) => Promise<TransactionResponse>): Promise<{ hash: string; mined: Promise<boolean> }> {
        this.pending++
        let release!: () => void
        const done = new Promise<void>((r) => (release = r))
        const sent = this.chain.then(() => send(this.wallet))
        const mined = sent
            .then(async (tx) => (await tx.wait(1, 60_000))?.status === 1)
            .catch((e) => {
                throw new Error(`${this.label} ${what}: ${describeRevert(e)}`)
            })
            .finally(() => {
                this.pending--
                release()
            })
        mined.catch(() => undefined)
        this.chain = done
        return sent.then(
            (tx) => ({ hash: tx.hash, mined }),
            (e) => {
                throw new Error(`${this.label} ${what}: ${describeRevert(e)}`)
            },
        )
    }

    /** Run `send` after this actor's previous transaction; resolves with the mined receipt's status. */
    run(what: string, send: (w: Wallet) => Promise<TransactionResponse>): Promise<boolean> {
        this.pending++
        const result = this.chain.then(async () => {
            try {
                const tx = await sendFresh(() => send(this.wallet))
                const receipt = await tx.wait(1, 60_000)
                return receipt?.status === 1
            } finally {
                this.pending--
            }
        })
        this.chain = result.catch(() => undefined)
        return result.catch((e) => {
            throw new Error(`${this.label} ${what}: ${describeRevert(e)}`)
        })
    }
}

/**
 * `send`, once more if the node refused the nonce as used: the wallet asks for the pending nonce right after the
 * previous receipt, and a loaded node has been seen to answer the old count (publisher "set terms" right after
 * "register", in a CI run). A refused transaction was not accepted, so sending again with a fresh nonce is safe.
 */
async function sendFresh(send: () => Promise<TransactionResponse>): Promise<TransactionResponse> {
    try {
        return await send()
    } catch (e: any) {
        if (e?.code !== 'NONCE_EXPIRED' && !/nonce (has already been used|too low)/i.test(String(e?.message))) throw e
        await new Promise((r) => setTimeout(r, 250))
        return send()
    }
}

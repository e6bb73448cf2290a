import { Contract, Interface, JsonRpcProvider, Wallet } from 'ethers'
import { chainFromEnv, deploymentsFileFor, RpcFailoverSettings, rpcFailoverFromEnv } from '../../config'
import { FailoverEvent } from '../../rpc/failover'
import { abiOf, contract } from '../../contracts'
import { ContractName, Deployment, requireDeployment } from '../../deploy/deployments'
import { apiError } from '../errors'
import { rpcProvider } from './failover-provider'
import { decodeRevert, isRevertError, RevertInfo, revertDataOf, revertError } from './revert'
import { SIGNER_ENV, SignerRole, signerKeysFromEnv } from './signer-keys'
import { isDefiniteRejection, SendHooks, SentTx, TxRequest, TxSender } from './tx-sender'

export { SIGNER_ENV, signerKeysFromEnv } from './signer-keys'
export type { SignerRole } from './signer-keys'

export interface SettlementChainOptions {
    rpcUrl: string
    /** every endpoint in order of preference (RPC_URL list): failover (failover-provider.ts); default [rpcUrl] */
    rpcUrls?: string[]
    /** RPC_TIMEOUT_MS / RPC_RECHECK_MS, for rpcUrls */
    failover?: RpcFailoverSettings
    onFailover?: (e: FailoverEvent) => void
    deployment: Deployment
    /** private keys; a role without a key cannot send (CHAIN_UNAVAILABLE when used) */
    keys: Partial<Record<SignerRole, string>>
    /** how often receipts are polled (ms), default 250 */
    pollMs?: number
}

export interface MinedReceipt {
    hash: string
    status: 0 | 1
    blockNumber: number
    blockHash: string
    logs: { address: string; topics: string[]; data: string }[]
}

type Env = Record<string, string | undefined>

function chainUnavailable(message: string, cause?: unknown) {
    const e = apiError('CHAIN_UNAVAILABLE', message)
    if (cause !== undefined) (e as any).cause = cause
    return e
}

/**
 * The API server's view of the chain: reads (escrow balances, batches, claims), simulation, signing through
 * per-signer nonce-managed senders, receipts, and revert decoding.
 */
export class SettlementChain {
    readonly provider: JsonRpcProvider
    readonly chainId: number
    readonly deployment: Deployment
    private readonly senders = new Map<SignerRole, TxSender>()
    private readonly ifaces = new Map<string, Interface>()
    private readonly pollMs: number

    constructor(opts: SettlementChainOptions) {
        this.deployment = opts.deployment
        this.chainId = opts.deployment.chainId
        this.pollMs = opts.pollMs ?? 250
        this.provider = rpcProvider(opts.rpcUrls ?? [opts.rpcUrl], this.chainId, opts.failover ?? rpcFailoverFromEnv({}), opts.onFailover)
        // one sender per address: roles sharing a key share its nonce
        const byAddress = new Map<string, TxSender>()
        for (const [role, key] of Object.entries(opts.keys) as [SignerRole, string][]) {
            if (!key) continue
            const wallet = new Wallet(key, this.provider)
            let sender = byAddress.get(wallet.address)
            if (!sender) {
                sender = new TxSender(wallet, this.provider, BigInt(this.chainId))
                byAddress.set(wallet.address, sender)
            }
            this.senders.set(role, sender)
        }
    }

    /**
     * From env: RPC_URL (one or several endpoints, or the local anvil, see src/config.ts), the deployments file of
     * its chain, and the signer keys (signerKeysFromEnv).
     */
    static async fromEnv(env: Env = process.env, onFailover?: (e: FailoverEvent) => void): Promise<SettlementChain> {
        const cfg = chainFromEnv(env)
        const failover = rpcFailoverFromEnv(env)
        let chainId = cfg.chainId
        if (chainId === undefined) {
            const p = rpcProvider(cfg.rpcUrls, undefined, failover)
            try {
                chainId = Number(await p.send('eth_chainId', []))
            } catch (e) {
                throw chainUnavailable('cannot reach the chain RPC (RPC_URL)', e)
            } finally {
                p.destroy()
            }
        }
        const deployment = requireDeployment(chainId, deploymentsFileFor(chainId, env))
        return new SettlementChain({ rpcUrl: cfg.rpcUrl, rpcUrls: cfg.rpcUrls, failover, onFailover, deployment, keys: signerKeysFromEnv(chainId, env) })
    }

    destroy(): void {
        this.provider.destroy()
    }

    /** The sender of `role`; CHAIN_UNAVAILABLE when no key is configured for it. */
    sender(role: SignerRole): TxSender {
        const s = this.senders.get(role)
        if (!s) throw chainUnavailable(`no ${role} signer is configured on this server (set ${SIGNER_ENV[role]})`)
        return s
    }

    hasSigner(role: SignerRole): boolean {
        return this.senders.has(role)
    }

    address(name: ContractName): string {
        return this.deployment.contracts[name]
    }

    private iface(name: string): Interface {
        let i = this.ifaces.get(name)
        if (!i) this.ifaces.set(name, (i = new Interface(abiOf(name))))
        return i
    }

    private contract(name: ContractName): Contract {
        return contract(name, this.address(name), this.provider)
    }

    /** A view call at `latest`; RPC failures become CHAIN_UNAVAILABLE. */
    private async read<T>(what: string, fn: () => Promise<T>): Promise<T> {
        try {
            return await fn()
        } catch (e) {
            if (isRevertError(e)) throw revertError(decodeRevert(revertDataOf(e) ?? '0x'), { contract: what.split('.')[0], method: what.split('.')[1] ?? what, stage: 'simulation' })
            throw chainUnavailable(`cannot read ${what} from the chain`, e)
        }
    }

    async escrowAccount(payer: string, token: string): Promise<{ available: bigint; locked: bigint }> {
        const r = await this.read('Escrow.accountOf', () => this.contract('Escrow').accountOf(payer, token))
        return { available: BigInt(r.available ?? r[0]), locked: BigInt(r.locked ?? r[1]) }
    }

    /** The on-chain batch record; status 0 (None) when the id is unused. */
    async getBatch(batchId: string): Promise<{ payer: string; token: string; root: string; totalAmount: bigint; status: number; disputeDeadline: bigint }> {
        const b = await this.read('BatchLedger.getBatch', () => this.contract('BatchLedger').getBatch(batchId))
        return {
            payer: String(b.payer).toLowerCase(),
            token: String(b.token).toLowerCase(),
            root: String(b.root).toLowerCase(),
            totalAmount: BigInt(b.totalAmount),
            status: Number(b.status),
            disputeDeadline: BigInt(b.disputeDeadline),
        }
    }

    async isClaimed(batchId: string, payee: string): Promise<boolean> {
        return this.read('Distributor.isClaimed', () => this.contract('Distributor').isClaimed(batchId, payee))
    }

    /**
     * Simulate `name.method(args)` from `from` with eth_call on the `pending` block (it includes this server's own
     * transactions still in the pool) and estimate its gas. A revert throws CONTRACT_REVERT (stage "simulation"):
     * nothing is sent.
     */
    async prepare(from: string, name: ContractName, method: string, args: unknown[]): Promise<TxRequest> {
        const to = this.address(name)
        const data = this.iface(name).encodeFunctionData(method, args)
        const call = { from, to, data }
        const onError = (e: unknown): never => {
            if (isRevertError(e)) throw revertError(decodeRevert(revertDataOf(e) ?? '0x'), { contract: name, method, stage: 'simulation' })
            throw chainUnavailable(`cannot simulate ${name}.${method}: the chain RPC failed`, e)
        }
        await this.provider.send('eth_call', [call, 'pending']).catch(onError)
        let gas: bigint
        try {
            gas = BigInt(await this.provider.send('eth_estimateGas', [call, 'pending']))
        } catch (e) {
            if (isRevertError(e)) onError(e)
            // a node that does not take a block tag for eth_estimateGas
            gas = BigInt(await this.provider.send('eth_estimateGas', [call]).catch(onError))
        }
        return { to, data, gasLimit: (gas * 125n) / 100n + 10_000n }
    }

    /** Simulate, then sign and broadcast with `role`'s key through its nonce-managed sender. */
    send(role: SignerRole, name: ContractName, method: string, args: unknown[], hooks?: SendHooks): Promise<SentTx> {
        const sender = this.sender(role)
        return sender.send((from) => this.prepare(from, name, method, args), hooks)
    }

    /** The receipt of `hash` if mined, else null. RPC failures return null too (the caller retries later). */
    async receipt(hash: string): Promise<MinedReceipt | null> {
        let r: any
        try {
            r = await this.provider.send('eth_getTransactionReceipt', [hash])
        } catch {
            return null
        }
        if (!r || r.blockNumber == null) return null
        return {
            hash,
            status: Number(r.status) === 1 ? 1 : 0,
            blockNumber: Number(r.blockNumber),
            blockHash: r.blockHash,
            logs: (r.logs ?? []).map((l: any) => ({ address: l.address, topics: l.topics, data: l.data })),
        }
    }

    /** Poll for the receipt up to `timeoutMs`; null when not mined by then. */
    async waitForReceipt(hash: string, timeoutMs: number): Promise<MinedReceipt | null> {
        const deadline = Date.now() + timeoutMs
        for (;;) {
            const r = await this.receipt(hash)
            if (r || Date.now() >= deadline) return r
            await new Promise((res) => setTimeout(res, Math.min(this.pollMs, Math.max(0, deadline - Date.now()))))
        }
    }

    /** Whether the node knows the transaction (pending or mined). Throws CHAIN_UNAVAILABLE on RPC failure. */
    async knowsTransaction(hash: string): Promise<boolean> {
        try {
            return (await this.provider.send('eth_getTransactionByHash', [hash])) != null
        } catch (e) {
            throw chainUnavailable('cannot reach the chain RPC', e)
        }
    }

    /**
     * Broadcast an already signed transaction again (recovery after a crash). 'sent' when the node accepted it or
     * already had it, 'rejected' when it refused it (typically: its nonce was used by another transaction).
     */
    async rebroadcast(raw: string): Promise<'sent' | 'rejected'> {
        try {
            await this.provider.send('eth_sendRawTransaction', [raw])
            return 'sent'
        } catch (e: any) {
            if (/already known|known transaction|already imported/i.test(String(e?.info?.error?.message ?? e?.message))) return 'sent'
            if (isDefiniteRejection(e)) return 'rejected'
            throw chainUnavailable('cannot reach the chain RPC', e)
        }
    }

    /**
     * Why a mined transaction reverted: the revert data from debug_traceTransaction when the node has it (anvil,
     * geth), else by replaying the call on the state after its block.
     */
    async revertOfMined(hash: string, receipt: MinedReceipt): Promise<RevertInfo> {
        try {
            const trace = await this.provider.send('debug_traceTransaction', [hash, { tracer: 'callTracer', tracerConfig: { onlyTopCall: true } }])
            if (trace && typeof trace.output === 'string') return decodeRevert(trace.output)
        } catch {
            // no debug namespace
        }
        try {
            const tx = await this.provider.send('eth_getTransactionByHash', [hash])
            await this.provider.send('eth_call', [{ from: tx.from, to: tx.to, data: tx.input, gas: tx.gas }, '0x' + receipt.blockNumber.toString(16)])
        } catch (e) {
            const data = revertDataOf(e)
            if (data !== undefined) return decodeRevert(data)
        }
        return decodeRevert('0x')
    }

    /** Decode `name`'s events in a receipt (for results and tests). */
    parseLogs(name: ContractName, receipt: MinedReceipt): { name: string; args: any }[] {
        const at = this.address(name).toLowerCase()
        const out: { name: string; args: any }[] = []
        for (const l of receipt.logs) {
            if (l.address.toLowerCase() !== at) continue
            const parsed = this.iface(name).parseLog(l)
            if (parsed) out.push({ name: parsed.name, args: parsed.args })
        }
        return out
    }
}

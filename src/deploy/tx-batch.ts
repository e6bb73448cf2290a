/**
 * Deployment transactions signed with explicit nonces and sent at once (a contract's address is known from its
 * nonce before it is mined), then their receipts awaited together: a local chain with 1-second blocks deploys in a
 * couple of blocks instead of one block per transaction.
 */
import { ContractFactory, FeeData, InterfaceAbi, JsonRpcProvider, TransactionReceipt, Wallet, getCreateAddress } from 'ethers'
import { DeploymentError } from './deployments'

export class TxBatch {
    private sent: { step: string; hash: string }[] = []

    private constructor(
        private readonly wallet: Wallet,
        private readonly provider: JsonRpcProvider,
        readonly chainId: number,
        private nonce: number,
        private readonly fees: FeeData,
    ) {}

    /** A batch for `wallet`, starting at its pending nonce. */
    static async open(wallet: Wallet, provider: JsonRpcProvider): Promise<TxBatch> {
        const chainId = Number((await provider.getNetwork()).chainId)
        const nonce = await provider.getTransactionCount(wallet.address, 'pending')
        const fees = await provider.getFeeData()
        return new TxBatch(wallet, provider, chainId, nonce, fees)
    }

    /** transactions sent and not yet settled */
    get count(): number {
        return this.sent.length
    }

    async send(step: string, to: string | null, data: string, gasLimit: bigint): Promise<void> {
        const tx = await this.wallet.sendTransaction({
            to,
            data,
            nonce: this.nonce++,
            gasLimit,
            chainId: this.chainId,
            maxFeePerGas: this.fees.maxFeePerGas ?? undefined,
            maxPriorityFeePerGas: this.fees.maxPriorityFeePerGas ?? undefined,
        })
        this.sent.push({ step, hash: tx.hash })
    }

    /** Sends the deployment of a contract; resolves its address (checksummed), known before it is mined. */
    async create(step: string, abi: InterfaceAbi, bytecode: string, args: unknown[], gasLimit: bigint): Promise<string> {
        const address = getCreateAddress({ from: this.wallet.address, nonce: this.nonce })
        const tx = await new ContractFactory(abi, bytecode).getDeployTransaction(...args)
        await this.send(step, null, tx.data, gasLimit)
        return address
    }

    /** The receipts of everything sent so far; a failed or missing one is a DeploymentError naming its step. */
    async settle(what: string): Promise<TransactionReceipt[]> {
        const sent = this.sent.splice(0)
        const receipts = await Promise.all(sent.map((s) => this.provider.waitForTransaction(s.hash, 1, 120_000)))
        receipts.forEach((r, i) => {
            if (!r || r.status !== 1) throw new DeploymentError(`${what} step failed: ${sent[i].step} (tx ${sent[i].hash})`)
        })
        return receipts.map((r) => r!)
    }
}

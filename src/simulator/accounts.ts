import { JsonRpcProvider, Wallet, parseEther, toQuantity } from 'ethers'
import { anvilKey } from '../deploy/local-accounts'

/**
 * Accounts of the validator/MEV simulation. anvil funds its first 60 accounts (0..59: the protocol's roles and
 * the settlement participants, see src/deploy/local-accounts.ts); these come after them, derived from the same
 * mnemonic, and get ETH from `anvil_setBalance` (fundAccounts).
 */
export const SIM_ACCOUNTS = {
    /** validators 60..65 register themselves; their fee recipients (coinbase addresses) are 66..71 */
    firstValidator: 60,
    maxValidators: 6,
    firstFeeRecipient: 66,
    /** delegators 72..91 */
    firstDelegator: 72,
    maxDelegators: 20,
    /** traders 92..99 swap through the router (the victims of sandwiches) */
    firstTrader: 92,
    maxTraders: 8,
    /** deploys the Uniswap V2 factory, the tokens and the bots, and seeds the pairs */
    uniswapDeployer: 100,
    /** owns the sandwich bot */
    sandwichSearcher: 101,
    /** owns the arbitrage bot */
    arbSearcher: 102,
} as const

export function simAddress(index: number): string {
    return new Wallet(anvilKey(index)).address.toLowerCase()
}

/** Give every account at least `minEth` (anvil only). Idempotent: accounts already holding that much are left alone. */
export async function fundAccounts(provider: JsonRpcProvider, addresses: string[], minEth = 1_000n, topUpEth = 10_000n): Promise<number> {
    const min = parseEther(minEth.toString())
    let funded = 0
    await Promise.all(
        addresses.map(async (a) => {
            if ((await provider.getBalance(a)) >= min) return
            await provider.send('anvil_setBalance', [a, toQuantity(parseEther(topUpEth.toString()))])
            funded++
        }),
    )
    return funded
}

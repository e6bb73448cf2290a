import { BatchInputError, PayoutLeaf, UsageRecord } from './batch-builder'

/**
 * Payees a batch may not carry. The chain only sees a batch's Merkle root at commit, so it cannot refuse a leaf:
 * a leaf whose claim can never succeed (or whose payout would be lost) must be refused before the commit.
 *   - the zero address: the token's transfer to it reverts, so the claim reverts forever;
 *   - 0x…0001 to 0x…00ff, the range of precompiles (and of system contracts on some chains): no one holds their keys;
 *   - the protocol's own contracts and the batch's token: a payout sent there is credited to no one.
 * Returns the first offending leaf's payee with why, else undefined.
 */
export function unclaimablePayee(leaves: readonly PayoutLeaf[], protocolAddresses: ReadonlyMap<string, string>): { payee: string; why: string } | undefined {
    for (const { payee } of leaves) {
        const low = BigInt(payee)
        if (low === 0n) return { payee, why: 'the zero address can never claim (the transfer to it reverts)' }
        if (low <= 0xffn) return { payee, why: 'a precompile / system address can never claim' }
        const name = protocolAddresses.get(payee)
        if (name) return { payee, why: `it is the ${name} contract; its payout would be credited to no one` }
    }
    return undefined
}

/** The BatchInputError for `payee`, naming the first record that carries it (`records[i].payee`). */
export function payeeError(records: readonly UsageRecord[], payee: string, why: string): BatchInputError {
    const i = records.findIndex((r) => typeof r.payee === 'string' && r.payee.toLowerCase() === payee)
    const field = `records[${i}].payee`
    return new BatchInputError(`${field} ${payee} is not a claimable payee: ${why}`, field)
}

/** The deployment's contracts and the batch's token (lowercase), by lowercase address → name. */
export function protocolAddresses(contracts: Readonly<Record<string, string | undefined>>, token: string): Map<string, string> {
    const out = new Map<string, string>([[token.toLowerCase(), 'token']])
    for (const [name, address] of Object.entries(contracts)) if (address) out.set(address.toLowerCase(), name)
    return out
}

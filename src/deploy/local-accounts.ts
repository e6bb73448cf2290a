import { HDNodeWallet, Mnemonic } from 'ethers'

/** anvil's default mnemonic: its accounts are funded on every fresh local chain. Never use on a real chain. */
export const ANVIL_MNEMONIC = 'test test test test test test test test test test test junk'

/** Private key of anvil account `index`. */
export function anvilKey(index: number): string {
    return HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(ANVIL_MNEMONIC), `m/44'/60'/0'/0/${index}`).privateKey
}

/**
 * Who does what on a local chain. Participants of the simulator start at FIRST_PARTICIPANT. `operator` and `relayer`
 * are the API server's signers (SIGNER_KEY / RELAYER_KEY defaults); the simulator commits and relays with its own
 * accounts (`simOperator`, `simRelayer`, granted the same roles by the local deployment) so the two never share a
 * nonce.
 */
export const LOCAL_ROLES = { deployer: 0, operator: 1, relayer: 2, pauser: 3, treasury: 4, proposer: 0, simOperator: 5, simRelayer: 6 } as const
export const FIRST_PARTICIPANT = 10

/**
 * The server-held signer keys of the mutations: which role signs what, the env variable of each, and their reading
 * (the only place they come from: never a request).
 */
import { ANVIL_CHAIN_ID } from '../../config'
import { anvilKey, LOCAL_ROLES } from '../../deploy/local-accounts'

type Env = Record<string, string | undefined>

/** Which server-held key signs a mutation. The keys come from the environment only, never from a request. */
export type SignerRole = 'operator' | 'relayer' | 'disputer'

/** Env variable holding each signer's private key. */
export const SIGNER_ENV: Record<SignerRole, string> = {
    operator: 'SIGNER_KEY',
    relayer: 'RELAYER_KEY',
    disputer: 'DISPUTER_KEY',
}

const KEY_RE = /^(0x)?[0-9a-fA-F]{64}$/

/**
 * The signer keys from env: SIGNER_KEY (operator: commit, finalise), RELAYER_KEY (claimMany), DISPUTER_KEY (dispute;
 * must be the payer or a payee of the batches it disputes). On the local anvil chain (31337) operator and relayer
 * default to anvil accounts 1 and 2, which the local deployment grants OPERATOR and RELAYER (the simulator signs with
 * accounts 5 and 6, LOCAL_ROLES.simOperator/simRelayer, so their nonces never collide). A malformed key throws
 * an error naming the variable (never the value).
 */
export function signerKeysFromEnv(chainId: number, env: Env = process.env): Partial<Record<SignerRole, string>> {
    const keys: Partial<Record<SignerRole, string>> = {}
    for (const role of Object.keys(SIGNER_ENV) as SignerRole[]) {
        const name = SIGNER_ENV[role]
        const v = env[name]?.trim()
        if (!v) continue
        if (!KEY_RE.test(v)) throw new Error(`${name} is not a 32-byte hex private key`)
        keys[role] = v.startsWith('0x') ? v : '0x' + v
    }
    if (chainId === ANVIL_CHAIN_ID) {
        keys.operator ??= anvilKey(LOCAL_ROLES.operator)
        keys.relayer ??= anvilKey(LOCAL_ROLES.relayer)
    }
    return keys
}

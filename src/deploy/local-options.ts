import { Wallet } from 'ethers'
import { DeployOptions } from './deploy'
import { LOCAL_ROLES, anvilKey } from './local-accounts'

const addressOf = (i: number) => new Wallet(anvilKey(i)).address

/**
 * Deploy options for a local anvil chain: anvil's funded accounts take the roles, and the delays are
 * short enough for the simulator to walk batches through their whole lifecycle in seconds (and delegations
 * through unbonding, commission changes through their delay).
 */
export function localDeployOptions(rpcUrl: string, overrides: Partial<DeployOptions> = {}): DeployOptions {
    return {
        rpcUrl,
        deployerKey: anvilKey(LOCAL_ROLES.deployer),
        operator: addressOf(LOCAL_ROLES.operator),
        relayer: addressOf(LOCAL_ROLES.relayer),
        additionalOperators: [addressOf(LOCAL_ROLES.simOperator)],
        additionalRelayers: [addressOf(LOCAL_ROLES.simRelayer)],
        pauser: addressOf(LOCAL_ROLES.pauser),
        treasury: addressOf(LOCAL_ROLES.treasury),
        proposer: addressOf(LOCAL_ROLES.proposer),
        timelockMinDelay: 2,
        disputeWindow: 20,
        feeBps: 250,
        minDeposit: 1_000_000n, // 1 USDC
        maxDeposit: 10_000_000_000_000n, // 10M USDC
        unbondingPeriod: 30,
        commissionDelay: 20,
        ...overrides,
    }
}

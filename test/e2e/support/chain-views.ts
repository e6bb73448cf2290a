/**
 * Time travel against the contracts: one GraphQL request asks the API for the state as of block `n` (generated
 * queries of the versioned entities and the custom queries with `block`), and every value is compared with the
 * contracts' own view functions called at that block (eth_call with a block tag).
 */
import { Contract, JsonRpcProvider } from 'ethers'

const HAS_ROLE = ['function hasRole(bytes32 role, address account) view returns (bool)']
import { Pool } from 'pg'
import { contract } from '../../../src/contracts'
import type { Deployment } from '../../../src/deploy/deployments'
import { BATCH_STATUS_NAMES } from '../../../src/mappings/util'
import { gql } from '../../faults/support/stack'

export interface ViewTarget {
    apiUrl: string
    rpcUrl: string
    dbUrl: string
    deployment: Deployment
}

const AS_OF = `query($n: Int!) {
  escrowAccounts(block: { number: $n }, orderBy: id_ASC) { id payer token { id } available locked }
  batches(block: { number: $n }, orderBy: id_ASC) { id status }
  payouts(block: { number: $n }, orderBy: id_ASC) { id totalAmount claimedAmount feesPaid }
  disputes(block: { number: $n }, orderBy: id_ASC) { id outcome batch { status } }
  validators(block: { number: $n }, orderBy: id_ASC) { id commissionBps jailed stake slashCount feeRecipient }
  delegations(block: { number: $n }, orderBy: id_ASC) { id delegator validator { id } shares }
  escrowUtilisation(block: { number: $n }) { token held locked }
  roleAssignments(block: { number: $n }, orderBy: id_ASC) { id contractAddress role account active }
  protocolParams(block: { number: $n }) { disputeWindow feeBps treasury }
}`

/** What was compared at one block, by kind (the test asserts that each kind was exercised somewhere). */
export type Checked = Record<
    'accounts' | 'batches' | 'absentBatches' | 'payouts' | 'disputes' | 'validators' | 'delegations' | 'utilisation' | 'roles' | 'params' | 'claimFlags' | 'lifecycles',
    number
>

export async function expectAsOfEqualsChain(t: ViewTarget, n: number, leaves: Leaves): Promise<Checked> {
    const r = await gql(t.apiUrl, AS_OF, { n })
    expect({ n, errors: r.body.errors }).toEqual({ n, errors: undefined })
    const d = r.body.data
    const provider = new JsonRpcProvider(t.rpcUrl, 31337, { staticNetwork: true })
    const at = { blockTag: n }
    try {
        const c = t.deployment.contracts
        const escrow = contract('Escrow', c.Escrow, provider) as Contract
        const ledger = contract('BatchLedger', c.BatchLedger, provider) as Contract
        const distributor = contract('Distributor', c.Distributor, provider) as Contract
        const registry = contract('ValidatorRegistry', c.ValidatorRegistry, provider) as Contract
        const statusAt = async (id: string) => BATCH_STATUS_NAMES[Number((await ledger.getBatch(id, at)).status)]

        const accounts = await Promise.all(
            d.escrowAccounts.map(async (a: any) => {
                const v = await escrow.accountOf(a.payer, a.token.id, at)
                return { id: a.id, available: String(v.available), locked: String(v.locked) }
            }),
        )
        expect({ n, accounts: d.escrowAccounts.map((a: any) => ({ id: a.id, available: a.available, locked: a.locked })) }).toEqual({ n, accounts })

        const batches = await Promise.all(d.batches.map(async (b: any) => ({ id: b.id, status: await statusAt(b.id) })))
        expect({ n, batches: d.batches }).toEqual({ n, batches })
        // batches committed later are absent as of n: the chain did not know them yet
        const present = new Set(d.batches.map((b: any) => b.id))
        const absent = [...leaves.keys()].filter((id) => !present.has(id))
        expect({ n, absent: await Promise.all(absent.map(statusAt)) }).toEqual({ n, absent: absent.map(() => 'NONE') })

        const payouts = await Promise.all(
            d.payouts.map(async (p: any) => {
                const v = await distributor.getPayout(p.id, at)
                return { id: p.id, totalAmount: String(v.totalAmount), claimedAmount: String(v.claimedAmount), feesPaid: String(v.feesPaid) }
            }),
        )
        expect({ n, payouts: d.payouts }).toEqual({ n, payouts })

        // a dispute's outcome as of n against the batch status the ledger had then
        const outcomeOf = (status: string) => (status === 'DISPUTED' ? 'PENDING' : status === 'REJECTED' ? 'UPHELD' : 'DISMISSED')
        const disputes = await Promise.all(d.disputes.map(async (x: any) => ({ id: x.id, outcome: outcomeOf(await statusAt(x.id)) })))
        expect({ n, disputes: d.disputes.map((x: any) => ({ id: x.id, outcome: x.outcome })) }).toEqual({ n, disputes })

        const validators = await Promise.all(
            d.validators.map(async (v: any) => {
                const g = await registry.getValidator(v.id, at)
                return {
                    id: v.id,
                    commissionBps: Number(g.commissionBps),
                    jailed: g.jailed,
                    stake: String(await registry.totalStake(v.id, at)),
                    slashCount: Number(g.slashCount),
                    feeRecipient: String(g.feeRecipient).toLowerCase(),
                }
            }),
        )
        expect({ n, validators: d.validators }).toEqual({ n, validators })

        const delegations = await Promise.all(d.delegations.map(async (x: any) => String(await registry.sharesOf(x.delegator, x.validator.id, at))))
        expect({ n, shares: d.delegations.map((x: any) => x.shares) }).toEqual({ n, shares: delegations })

        // escrowUtilisation (custom query): held per token = Escrow.totalHeld; locked = the accounts' locks then
        const utilisation = await Promise.all(
            d.escrowUtilisation.map(async (u: any) => ({
                token: u.token,
                held: String(await escrow.totalHeld(u.token, at)),
                locked: String(accounts.filter((_a, i) => d.escrowAccounts[i].token.id === u.token).reduce((s, a) => s + BigInt(a.locked), 0n)),
            })),
        )
        expect({ n, utilisation: d.escrowUtilisation }).toEqual({ n, utilisation })

        // role assignments as of n against AccessControl.hasRole then (the contract answers for every role it holds)
        const roles = await Promise.all(
            d.roleAssignments.map(async (x: any) => ({ id: x.id, active: Boolean(await new Contract(x.contractAddress, HAS_ROLE, provider).hasRole(x.role, x.account, at)) })),
        )
        expect({ n, roles: d.roleAssignments.map((x: any) => ({ id: x.id, active: x.active })) }).toEqual({ n, roles })
        // protocol parameters the index has seen by n (null: no event yet) against the contracts' getters then
        let params = 0
        for (const p of d.protocolParams) {
            const chain = {
                disputeWindow: p.disputeWindow == null ? null : String(await ledger.disputeWindow(at)),
                feeBps: p.feeBps == null ? null : Number(await distributor.feeBps(at)),
                treasury: p.treasury == null ? null : String(await distributor.treasury(at)).toLowerCase(),
            }
            expect({ n, params: p }).toEqual({ n, params: chain })
            params += Object.values(chain).filter((v) => v != null).length
        }

        const claims = await expectClaimFlags(t, n, leaves, distributor, statusAt)
        return {
            accounts: accounts.length,
            batches: batches.length,
            absentBatches: absent.length,
            payouts: payouts.length,
            disputes: disputes.length,
            validators: validators.length,
            delegations: delegations.length,
            utilisation: utilisation.length,
            roles: roles.length,
            params,
            claimFlags: claims.flags,
            lifecycles: claims.lifecycles,
        }
    } finally {
        provider.destroy()
    }
}

/** batch id → its leaves (payee → amount), as the simulator stored them in api.batch_leaves. */
export type Leaves = Map<string, Map<string, bigint>>

export async function loadLeaves(dbUrl: string): Promise<Leaves> {
    const pool = new Pool({ connectionString: dbUrl, max: 1 })
    try {
        const r = await pool.query(`SELECT batch_id, leaves FROM api.batch_leaves ORDER BY batch_id`)
        return new Map(r.rows.map((row) => [row.batch_id, new Map((row.leaves as [string, string][]).map(([p, a]) => [p, BigInt(a)]))]))
    } finally {
        await pool.end()
    }
}

/**
 * Claim flags as of n: claimableBalance(payee, block) of a few payees against Distributor.isClaimed and the ledger
 * status at n; batchLifecycle(id, block) claim counts against isClaimed over the batch's payees.
 */
async function expectClaimFlags(t: ViewTarget, n: number, leaves: Leaves, distributor: Contract, statusAt: (id: string) => Promise<string>): Promise<{ flags: number; lifecycles: number }> {
    const at = { blockTag: n }
    const payees = [...new Set([...leaves.values()].flatMap((m) => [...m.keys()]))].sort().filter((_p, i) => i % 3 === n % 3)
    let flags = 0
    for (const payee of payees) {
        const r = await gql(t.apiUrl, `query($p: String!, $n: Int!) { claimableBalance(payee: $p, block: { number: $n }) { tokens { claimable claimableBatches pending claimed } } }`, { p: payee, n })
        expect({ n, payee, errors: r.body.errors }).toEqual({ n, payee, errors: undefined })
        const want = { claimable: 0n, claimableBatches: 0, pending: 0n, claimed: 0n }
        for (const [batch, m] of leaves) {
            const amount = m.get(payee)
            if (amount === undefined) continue
            const status = await statusAt(batch)
            if (status === 'NONE') continue
            flags++
            if (await distributor.isClaimed(batch, payee, at)) want.claimed += amount
            else if (status === 'FINALIZED') {
                want.claimable += amount
                want.claimableBatches++
            } else if (status === 'COMMITTED' || status === 'DISPUTED') want.pending += amount
        }
        const got = r.body.data.claimableBalance.tokens
        const sum = (k: 'claimable' | 'pending' | 'claimed') => got.reduce((s: bigint, x: any) => s + BigInt(x[k]), 0n)
        expect({ n, payee, claimable: sum('claimable'), batches: got.reduce((s: number, x: any) => s + x.claimableBatches, 0), pending: sum('pending'), claimed: sum('claimed') }).toEqual({
            n,
            payee,
            claimable: want.claimable,
            batches: want.claimableBatches,
            pending: want.pending,
            claimed: want.claimed,
        })
    }
    let lifecycles = 0
    for (const [batch, m] of [...leaves].filter((_e, i) => i % 4 === n % 4)) {
        const r = await gql(t.apiUrl, `query($id: String!, $n: Int!) { batchLifecycle(id: $id, block: { number: $n }) { status claims { count } } }`, { id: batch, n })
        expect({ n, batch, errors: r.body.errors }).toEqual({ n, batch, errors: undefined })
        const status = await statusAt(batch)
        let claimed = 0
        if (status !== 'NONE') for (const p of m.keys()) if (await distributor.isClaimed(batch, p, at)) claimed++
        const got = r.body.data.batchLifecycle
        expect({ n, batch, lifecycle: got && { status: got.status, claims: got.claims.count } }).toEqual({ n, batch, lifecycle: status === 'NONE' ? null : { status, claims: claimed } })
        lifecycles++
    }
    return { flags, lifecycles }
}

/** The first block at which every contract of the deployment has code (eth_call before it answers "0x"). */
export async function deployedFrom(rpcUrl: string, d: Deployment, head: number): Promise<number> {
    const provider = new JsonRpcProvider(rpcUrl, 31337, { staticNetwork: true })
    try {
        let from = d.startBlock
        for (const address of Object.values(d.contracts)) {
            let lo = from
            let hi = head
            while (lo < hi) {
                const mid = Math.floor((lo + hi) / 2)
                if ((await provider.getCode(address, mid)) === '0x') lo = mid + 1
                else hi = mid
            }
            from = lo
        }
        return from
    } finally {
        provider.destroy()
    }
}

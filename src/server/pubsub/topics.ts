/**
 * The change feed's topics: for each, the SQL that reads changed rows (by id, or by block range), the hub topic and
 * key(s) a row is published under, the payload subscribers get, and a row's identity and block (for the
 * corrections after a reorg, recent-rows.ts).
 */
import type { Topic } from './hub'
import type { ChangeTopic } from './notice'
import type { Pushed } from './recent-rows'
import { mevItemFromRow, mevItemsSql } from '../resolvers/mev.type'
import { SCORE_ENTRY_SQL, scoreEntryFromRow } from '../resolvers/validator.type'

export const HUB_TOPIC: Record<ChangeTopic, Topic> = {
    batches: 'batchUpdated',
    claims: 'payoutClaimed',
    escrowAccounts: 'escrowBalanceChanged',
    mev: 'mevDetected',
    scores: 'validatorScoreUpdated',
}

/** Hub keys of a `mevDetected` event: subscribers filter by validator or by pool (one key each). */
export const mevValidatorKey = (validator: string) => `validator:${validator.toLowerCase()}`
export const mevPoolKey = (pool: string) => `pool:${pool.toLowerCase()}`

export const idOf = (row: any): string => row.id

export interface Query {
    sql: string
    params: unknown[]
}

export interface TopicSpec {
    /** rows changed by id (ids from the notice); `cap` bounds the rows */
    byIds(ids: string[], cap: number): Query | undefined
    /** rows changed in blocks [lo, to] */
    byRange(lo: number, to: number, cap: number): Query
    /** hub key(s) the row is published under */
    key(row: any): string | string[] | undefined
    /** the payload subscribers receive (default: the row) */
    map?(row: any): object
    /** identity of a row (default: its id) and the block of its last change, for the corrections after a reorg */
    rowId?(row: any): string
    block(row: any): number
    /** the ids `byIds` takes to read these rows again (default: their row ids) */
    refetch?(rowIds: string[], pushed: Pushed[]): string[]
}

/** The simple topics: one table, rows by id or by a block column. */
function tableSpec(table: string, block: string, columns: string, key: (row: any) => string, blockOf: (row: any) => number): TopicSpec {
    return {
        byIds: (ids, cap) => ({ sql: `SELECT ${columns} FROM ${table} WHERE id = ANY($1::text[]) ORDER BY ${block}, id LIMIT ${cap}`, params: [ids] }),
        byRange: (lo, to, cap) => ({ sql: `SELECT ${columns} FROM ${table} WHERE ${block} BETWEEN $1 AND $2 ORDER BY ${block}, id LIMIT ${cap}`, params: [lo, to] }),
        key,
        block: blockOf,
    }
}

export const SPECS: Record<ChangeTopic, TopicSpec> = {
    batches: tableSpec(
        'batch',
        'updated_at_block',
        `id, status, payer, token_id AS "token", root, total_amount::text AS "totalAmount", record_count AS "recordCount",
            data_uri AS "dataURI", operator, disputed, committed_at AS "committedAt", committed_at_block AS "committedAtBlock",
            dispute_deadline AS "disputeDeadline", finalized_at AS "finalizedAt", finalized_at_block AS "finalizedAtBlock",
            rejected_at AS "rejectedAt", rejected_at_block AS "rejectedAtBlock", claimed_amount::text AS "claimedAmount",
            claim_count AS "claimCount", updated_at_block AS "updatedAtBlock"`,
        (r) => r.id,
        (r) => r.updatedAtBlock,
    ),
    claims: tableSpec(
        'claim',
        'block_number',
        `id, batch_id AS "batchId", payee, token_id AS "token", amount::text AS amount, fee::text AS fee, net::text AS net,
            claimer, relayed, block_number AS "blockNumber", tx_hash AS "txHash", timestamp`,
        (r) => r.payee,
        (r) => r.blockNumber,
    ),
    escrowAccounts: tableSpec(
        'escrow_account',
        'updated_at_block',
        `id, payer, token_id AS "token", available::text AS available, locked::text AS locked,
            total_deposited::text AS "totalDeposited", total_withdrawn::text AS "totalWithdrawn",
            updated_at AS "updatedAt", updated_at_block AS "updatedAtBlock"`,
        (r) => r.payer,
        (r) => r.updatedAtBlock,
    ),
    // arbitrages, sandwiches and coinbase transfers (never swaps), each with its details, in chain order
    mev: {
        byIds: (ids, cap) => ({
            sql: mevItemsSql(`(SELECT * FROM mev_event WHERE id = ANY($1::text[]) AND kind <> 'SWAP' ORDER BY block_number, id LIMIT ${cap})`, 'ASC'),
            params: [ids],
        }),
        byRange: (lo, to, cap) => ({
            sql: mevItemsSql(`(SELECT * FROM mev_event WHERE block_number BETWEEN $1 AND $2 AND kind <> 'SWAP' ORDER BY block_number, id LIMIT ${cap})`, 'ASC'),
            params: [lo, to],
        }),
        key: (r) => [r.validator_id ? mevValidatorKey(r.validator_id) : undefined, r.pool ? mevPoolKey(r.pool) : undefined].filter((k): k is string => !!k),
        map: mevItemFromRow,
        block: (r) => r.block_number,
    },
    // the notice lists the epochs just scored: every score row of those epochs
    scores: {
        byIds: (ids, cap) => {
            const epochs = ids.filter((id) => /^\d{1,9}$/.test(id)).map(Number)
            if (epochs.length === 0) return undefined
            return { sql: `${SCORE_ENTRY_SQL} WHERE s.epoch = ANY($1::int[]) ORDER BY s.epoch, s.rank LIMIT ${cap}`, params: [epochs] }
        },
        byRange: (lo, to, cap) => ({ sql: `${SCORE_ENTRY_SQL} WHERE s.computed_at_block BETWEEN $1 AND $2 ORDER BY s.epoch, s.rank LIMIT ${cap}`, params: [lo, to] }),
        key: (r) => r.v_address,
        map: scoreEntryFromRow,
        rowId: (r) => `${r.epoch}:${r.v_address}`,
        block: (r) => r.computed_at_block,
        refetch: (_ids, pushed) => [...new Set(pushed.map((p) => String(p.row.epoch)))],
    },
}

/**
 * The two ends a reconcile run compares: the index (Postgres, read in one REPEATABLE READ snapshot) and the
 * chain (JSON-RPC, the protocol's contracts). Failing to reach either is a ReconcileConnectionError (one line).
 */
import { Contract, JsonRpcProvider } from 'ethers'
import { Client } from 'pg'
import { applyDatabaseEnv, childEnv, ConfigError, databaseFromEnv } from '../config'
import { ContractName, contract } from '../contracts'
import { loadProcessorSettings } from '../processor'
import { connectionMessage, ReconcileConnectionError, ReconcileOptions } from './types'

export interface Endpoints {
    dbUrl: string
    rpcUrl: string
    contracts: Partial<Record<ContractName, string>>
}

/** Options completed from the environment and the deployments file (as the processor resolves them). */
export async function endpoints(opts: ReconcileOptions): Promise<Endpoints> {
    const dbUrl = opts.dbUrl ?? applyDatabaseEnv(databaseFromEnv())
    let rpcUrl = opts.rpcUrl
    let contracts = opts.contracts
    if (!rpcUrl || !contracts) {
        let s
        try {
            s = await loadProcessorSettings(rpcUrl ? childEnv({ RPC_URL: rpcUrl }) : undefined)
        } catch (e: any) {
            throw e instanceof ConfigError ? new ReconcileConnectionError(e.message) : e
        }
        rpcUrl ??= s.rpcUrl
        contracts ??= s.contracts
    }
    return { dbUrl, rpcUrl, contracts }
}

/**
 * `read` inside one REPEATABLE READ READ ONLY transaction: the indexed head and the rows it reflects are one
 * snapshot even while the processor commits. A missing schema or table means nothing was indexed yet.
 */
export async function readSnapshot<T>(dbUrl: string, read: (db: Client) => Promise<T>): Promise<T> {
    const db = new Client({ connectionString: dbUrl, connectionTimeoutMillis: 10_000 })
    // a lost connection fails the pending query (reported as such); unheard, its 'error' event would crash
    db.on('error', () => undefined)
    try {
        await db.connect()
    } catch (e) {
        throw new ReconcileConnectionError(connectionMessage(`database ${dbUrl.replace(/\/\/[^@/]*@/, '//***@')}`, e))
    }
    try {
        await db.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
        return await read(db)
    } catch (e: any) {
        if (e?.code === '42P01' || e?.code === '3F000') {
            throw new ReconcileConnectionError(`database has no indexed state (${e.message}): run the processor first`)
        }
        throw e
    } finally {
        await db.query('ROLLBACK').catch(() => {})
        await db.end().catch(() => {})
    }
}

export interface IndexedHead {
    height: number
    hash: string
}

export function quoteIdent(name: string): string {
    return '"' + name.replace(/"/g, '""') + '"'
}

/** The indexed head: the top hot block, else squid's finalized status; undefined before the first batch. */
export async function readHead(db: Client, stateSchema: string): Promise<IndexedHead | undefined> {
    const schema = quoteIdent(stateSchema)
    const hot = await db.query(`SELECT height, hash FROM ${schema}.hot_block ORDER BY height DESC LIMIT 1`)
    if (hot.rowCount) return { height: Number(hot.rows[0].height), hash: hot.rows[0].hash }
    const status = await db.query(`SELECT height, hash FROM ${schema}.status WHERE id = 0`)
    if (status.rowCount && Number(status.rows[0].height) >= 0) return { height: Number(status.rows[0].height), hash: status.rows[0].hash }
    return undefined
}

export function rpcProvider(rpcUrl: string): JsonRpcProvider {
    return new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true, batchMaxCount: 50 })
}

/** The chain's block at `height` (null if the chain has none), bounded: an RPC that does not answer is a connection error. */
export async function chainBlock(provider: JsonRpcProvider, rpcUrl: string, height: number) {
    let timer: NodeJS.Timeout | undefined
    try {
        return await Promise.race([
            provider.getBlock(height),
            new Promise<never>((_, rej) => {
                timer = setTimeout(() => rej(new Error('timeout after 15s')), 15_000)
            }),
        ])
    } catch (e) {
        throw new ReconcileConnectionError(connectionMessage(`RPC ${rpcUrl}`, e))
    } finally {
        clearTimeout(timer)
    }
}

/** A connection failure met during the checks is reported as such, anything else as is. */
export function asConnectionError(e: any, rpcUrl: string): any {
    if (e instanceof ReconcileConnectionError) return e
    if (e?.code === 'ECONNREFUSED' || e?.cause?.code === 'ECONNREFUSED' || /ECONNREFUSED|fetch failed/.test(String(e?.message))) {
        return new ReconcileConnectionError(connectionMessage(`RPC ${rpcUrl}`, e))
    }
    return e
}

/** The protocol's contracts on `provider`, by name (ValidatorRegistry only when deployed). */
export interface Views {
    escrow: Contract
    tokenRegistry: Contract
    ledger: Contract
    distributor: Contract
    registry: Contract
    timelock: Contract
    validatorRegistry?: Contract
    /** contract address → contract, for the per-address views (hasRole, paused) */
    byAddress: Map<string, Contract>
}

export function views(provider: JsonRpcProvider, contracts: Partial<Record<ContractName, string>>): Views {
    const addr = (name: ContractName): string => {
        const a = contracts[name]
        if (!a) throw new Error(`no address for ${name}`)
        return a
    }
    const c = (name: ContractName) => contract(name, addr(name), provider)
    const v: Views = {
        escrow: c('Escrow'),
        tokenRegistry: c('TokenRegistry'),
        ledger: c('BatchLedger'),
        distributor: c('Distributor'),
        registry: c('ParticipantRegistry'),
        timelock: c('PlatformTimelock'),
        validatorRegistry: contracts.ValidatorRegistry ? c('ValidatorRegistry') : undefined,
        byAddress: new Map(),
    }
    const named: [ContractName, Contract | undefined][] = [
        ['Escrow', v.escrow],
        ['TokenRegistry', v.tokenRegistry],
        ['BatchLedger', v.ledger],
        ['Distributor', v.distributor],
        ['ParticipantRegistry', v.registry],
        ['PlatformTimelock', v.timelock],
        ['ValidatorRegistry', v.validatorRegistry],
    ]
    for (const [name, ct] of named) if (ct) v.byAddress.set(addr(name), ct)
    return v
}

/** Builds squid-shaped blocks/logs from ABI events (ethers encodes them), for mapping tests without a chain. */
import * as fs from 'fs'
import * as path from 'path'
import { Interface, keccak256, toUtf8Bytes } from 'ethers'
import type { Log } from '../../../src/chain-fields'

const ROOT = path.resolve(__dirname, '../../..')

const ifaces = new Map<string, Interface>()
export function iface(contract: string): Interface {
    let i = ifaces.get(contract)
    if (!i) {
        const json = JSON.parse(fs.readFileSync(path.join(ROOT, 'abi', `${contract}.json`), 'utf8'))
        i = new Interface(Array.isArray(json) ? json : json.abi)
        ifaces.set(contract, i)
    }
    return i
}

export const ADDR = {
    ParticipantRegistry: '0x1000000000000000000000000000000000000001',
    TokenRegistry: '0x1000000000000000000000000000000000000002',
    Escrow: '0x1000000000000000000000000000000000000003',
    BatchLedger: '0x1000000000000000000000000000000000000004',
    Distributor: '0x1000000000000000000000000000000000000005',
    PlatformTimelock: '0x1000000000000000000000000000000000000006',
    MockUSDC: '0x1000000000000000000000000000000000000007',
    ValidatorRegistry: '0x1000000000000000000000000000000000000008',
} as const

export type Contract = keyof typeof ADDR

export interface EventSpec {
    contract: Contract
    event: string
    args: unknown[]
    from?: string
}

export interface BlockSpec {
    height: number
    /** unix seconds */
    timestamp: number
    events: EventSpec[]
}

export function blockHash(height: number, salt = ''): string {
    return keccak256(toUtf8Bytes(`block-${height}-${salt}`))
}

/** squid-like blocks: {header, logs[]} with log ids <height>-<hash>-<logIndex>. */
export function buildBlocks(specs: BlockSpec[], salt = ''): { header: any; logs: Log[] }[] {
    return specs.map((b) => {
        const hash = blockHash(b.height, salt)
        const header = {
            id: `${String(b.height).padStart(10, '0')}-${hash.slice(2, 7)}`,
            height: b.height,
            hash,
            parentHash: blockHash(b.height - 1, salt),
            timestamp: b.timestamp * 1000,
        }
        const logs = b.events.map((e, logIndex) => {
            const i = iface(e.contract)
            const ev = i.getEvent(e.event)
            if (!ev) throw new Error(`no event ${e.contract}.${e.event}`)
            const { topics, data } = i.encodeEventLog(ev, e.args)
            const txHash = keccak256(toUtf8Bytes(`tx-${b.height}-${logIndex}-${salt}`))
            return {
                id: `${header.id}-${String(logIndex).padStart(6, '0')}`,
                logIndex,
                transactionIndex: logIndex,
                address: ADDR[e.contract],
                topics,
                data,
                transactionHash: txHash,
                block: header,
                transaction: { from: (e.from ?? '0x00000000000000000000000000000000000000aa').toLowerCase(), hash: txHash },
            } as unknown as Log
        })
        return { header, logs }
    })
}

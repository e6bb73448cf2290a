// Fetches blocks [from, to] through squid's own RPC data source with the processor's data request
// (lib/chain-fields.js FIELDS + lib/processor.js requestChainData) and prints one JSON line per block:
//   {header, transactions, traces} with bigints as decimal strings.
// Usage: node test/processor/support/fetch-blocks.js <rpcUrl> <from> <to> [trace|debug]
// Needs the compiled lib/ (tsc). The processor exits 0 at the end of the range.
const path = require('path')
const { EvmBatchProcessor } = require('@subsquid/evm-processor')
const lib = path.resolve(__dirname, '../../../lib')
const { FIELDS } = require(path.join(lib, 'chain-fields.js'))
const { requestChainData } = require(path.join(lib, 'processor.js'))

const [rpcUrl, from, to, traceApi = 'trace'] = process.argv.slice(2)
const p = new EvmBatchProcessor()
    .setRpcEndpoint({ url: rpcUrl })
    .setFinalityConfirmation(0)
    .setBlockRange({ from: Number(from), to: Number(to) })
    .setFields(FIELDS)
requestChainData(p, traceApi)

const json = (v) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x))
const plainTrace = (t) => ({
    type: t.type,
    transactionIndex: t.transactionIndex,
    traceAddress: t.traceAddress,
    subtraces: t.subtraces,
    error: t.error,
    action: t.action,
    result: t.result,
})
let height = -1
let hash = '0x'
p.run(
    {
        supportsHotBlocks: false,
        async connect() {
            return { height, hash }
        },
        async transact(info, cb) {
            await cb({})
            height = info.nextHead.height
            hash = info.nextHead.hash
        },
    },
    async (ctx) => {
        for (const b of ctx.blocks) {
            process.stdout.write(
                json({
                    header: b.header,
                    transactions: b.transactions.map((tx) => ({ ...tx })),
                    traces: b.traces.map(plainTrace),
                }) + '\n',
            )
        }
    },
)

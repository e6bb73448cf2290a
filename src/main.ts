/**
 * `npm run process` (node lib/main.js): the indexer. The engine is src/indexer/ (run.ts: the batch loop), the
 * processor's configuration src/processor.ts, the per-contract handlers src/mappings/.
 */
import { createLogger } from '@subsquid/logger'
import { ConfigError } from './config'
import { runIndexer } from './indexer/run'

if (require.main === module) {
    runIndexer().catch((e) => {
        // configuration problems are one readable line; anything else gets its stack
        createLogger('sqd:processor:settlement').fatal(e instanceof ConfigError ? e.message : e)
        process.exit(1)
    })
}

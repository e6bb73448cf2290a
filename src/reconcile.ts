/**
 * `npm run reconcile [-- --at <block>]`: the index against the contracts' own view functions, at the indexed head
 * or as of a past block. The parts are in src/reconcile/ (current.ts, at-block.ts, versioned.ts, ...); this file is
 * the entry point (lib/reconcile.js) and what tests import.
 */
export { reconcile } from './reconcile/current'
export { reconcileAt, parseBlock } from './reconcile/at-block'
export { cli, parseArgs } from './reconcile/cli'
export { VIEW_CHECKS } from './reconcile/versioned'
export { formatMismatch, mapLimit, ReconcileConnectionError, ReconcileInputError } from './reconcile/types'
export type { Mismatch, ReconcileOptions, ReconcileResult } from './reconcile/types'
import { cli } from './reconcile/cli'

if (require.main === module) {
    cli().then((code) => process.exit(code))
}

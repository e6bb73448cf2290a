/**
 * Imported first by index.ts. When this process is the API server's CLI entry (`node lib/server/index.js`) and
 * NODE_ENV is not set, run in production mode: graphql-js then skips its development-only checks (its
 * `instanceOf` looks up Symbol.toStringTag on every failed `instanceof` of type checks during execution, to
 * detect a second copy of graphql) and graphql-ws does not put internal error messages in close reasons.
 * Embedding `startServer` (tests) leaves NODE_ENV alone. Must run before graphql is loaded.
 */
import * as path from 'path'

const entry = require.main?.filename
if (process.env.NODE_ENV === undefined && entry && path.resolve(entry) === path.join(__dirname, 'index.js')) {
    process.env.NODE_ENV = 'production'
}

/**
 * The API server in-process as the suites run it: an ephemeral port on 127.0.0.1, no RPC, logs printed only with
 * DEBUG_API, and an anonymous rate limit out of the way (the suite's clients share 127.0.0.1's bucket). A suite
 * passes what it tests (live interval, caps, result cache) in `options`, which override these.
 */
import { RunningServer, startServer } from '../../../src/server'
import type { ServerOptions } from '../../../src/server/options'

export function startTestServer(databaseUrl: string, options: ServerOptions = {}): Promise<RunningServer> {
    return startServer({
        port: 0,
        host: '127.0.0.1',
        databaseUrl,
        rpcUrl: null,
        log: (level, message, fields) => void (process.env.DEBUG_API && console.log(level, message, fields)),
        rateLimit: { anonymous: { burst: 5000, perSecond: 5000 } },
        ...options,
    })
}

import type { Pool } from 'pg'

/** The roles an API key can hold. `operator` commits/finalises/disputes, `relayer` claims for payees. */
export type ApiRole = 'operator' | 'relayer' | 'read-only'

/** Who is calling: resolved once per HTTP request or graphql-ws connection from `Authorization: Bearer <key>`. */
export interface Caller {
    keyId: number
    role: ApiRole
}

/**
 * The context every resolver gets. `openreader` is what OpenReader's generated resolvers read;
 * custom resolvers use `db` (a pg pool) and `caller`.
 */
export interface Ctx {
    db: Pool
    caller?: Caller
    openreader: unknown
    /** Request id for logs; echoed in INTERNAL errors so operators can find the log line. */
    requestId: string
}

/** What the embedded Postgres modules throw for a problem the user can act on (one readable line). */
export class PostgresError extends Error {
    constructor(message: string) {
        super(message)
        this.name = 'PostgresError'
    }
}

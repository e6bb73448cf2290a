/**
 * `COPY ... FROM STDIN` with node-postgres and no extra package: a minimal Submittable that answers the
 * server's CopyInResponse with CopyData chunks and CopyDone (the protocol messages `pg`'s Connection already
 * serialises: sendCopyFromChunk / endCopyFrom). pg-copy-streams does the same with a stream interface; the
 * bulk writer (bulk.ts) and the index benchmark's baseline only need "send these buffers". It is queued on the
 * client like any query, so it runs in order with the statements sent before and after it.
 */
import type { Client, PoolClient } from 'pg'

class CopyIn {
    rowCount = 0
    private resolve!: (n: number) => void
    private reject!: (e: Error) => void
    private error: Error | undefined
    readonly done: Promise<number>
    // node-postgres checks these on submittables
    readonly text: string

    constructor(
        sql: string,
        private chunks: Buffer[],
    ) {
        this.text = sql
        this.done = new Promise((res, rej) => {
            this.resolve = res
            this.reject = rej
        })
    }

    submit(connection: any): void {
        connection.query(this.text)
    }

    handleCopyInResponse(connection: any): void {
        for (const c of this.chunks) connection.sendCopyFromChunk(c)
        connection.endCopyFrom()
    }

    handleCommandComplete(msg: { text?: string }): void {
        const m = /COPY (\d+)/.exec(msg.text ?? '')
        this.rowCount = m ? Number(m[1]) : 0
    }

    handleReadyForQuery(): void {
        if (this.error) this.reject(this.error)
        else this.resolve(this.rowCount)
    }

    handleError(err: Error): void {
        this.error = err
    }

    // not expected during COPY FROM; present so an unexpected message cannot crash the client
    handleRowDescription(): void {}
    handleDataRow(): void {}
    handleEmptyQuery(): void {}
    handlePortalSuspended(): void {}
    handleCopyData(): void {}
}

/** Run `COPY <table> (...) FROM STDIN` with text-format rows (tab separated, \N for NULL, newline terminated). */
export function copyFrom(client: Client | PoolClient, sql: string, chunks: Buffer[]): Promise<number> {
    const q = new CopyIn(sql, chunks)
    ;(client as any).query(q)
    return q.done
}

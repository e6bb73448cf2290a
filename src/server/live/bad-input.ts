/**
 * A live query whose result says its arguments are wrong (`BAD_USER_INPUT`, e.g. a custom query's `limit` above its
 * maximum or a malformed address) would give the same answer after every commit: the result is sent, then the
 * subscription completes (the client fixes the arguments and subscribes again) instead of staying open for nothing.
 */
import type { ExecutionResult } from 'graphql'

export const badInput = (r: ExecutionResult) => !!r.errors?.some((e) => e.extensions?.code === 'BAD_USER_INPUT')

export function endOnBadInput(source: AsyncIterableIterator<ExecutionResult>): AsyncIterableIterator<ExecutionResult> {
    let ended = false
    const it: AsyncIterableIterator<ExecutionResult> = {
        async next() {
            if (ended) return { value: undefined, done: true }
            const r = await source.next()
            if (!r.done && badInput(r.value)) {
                ended = true
                await source.return?.()
            }
            return r
        },
        return: () => ((ended = true), source.return?.() ?? Promise.resolve({ value: undefined, done: true })),
        throw: (e?: unknown) => source.throw?.(e) ?? Promise.reject(e),
        [Symbol.asyncIterator]: () => it,
    }
    return it
}

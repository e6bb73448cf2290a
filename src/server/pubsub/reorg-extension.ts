/**
 * `extensions: { reorg: true }` (and `removed: true`) on the events of the hand-made subscriptions that a reorg
 * caused (feed.ts marks their payloads `reorg` / `removed`). graphql executes a hub event into `{ data }` and gives
 * a resolver no way to add extensions, so the subscription's document gets a hidden selection of the event's
 * `reorg` / `removed` fields under reserved aliases, and each result is rewritten once, for every subscriber of
 * the shared execution (the rewrite is cached per result object): the aliases are taken out and, when set, moved
 * to `extensions`. What a client selected is unchanged.
 */
import { DocumentNode, ExecutionArgs, ExecutionResult, FieldNode, getNamedType, getOperationAST, GraphQLSchema, isObjectType, Kind, OperationDefinitionNode, SelectionNode } from 'graphql'

const PROBES = { reorg: '__reorgProbe', removed: '__removedProbe' } as const

interface Probe {
    document: DocumentNode
    /** response key of the root field */
    key: string
}

const probes = new WeakMap<DocumentNode, Map<string, Probe | null>>()

/** The document with the hidden selection, or null when the operation's root field has no `reorg` field. */
function probeOf(schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined): Probe | null {
    let byOp = probes.get(document)
    if (!byOp) probes.set(document, (byOp = new Map()))
    const cached = byOp.get(operationName ?? '')
    if (cached !== undefined) return cached
    const op = getOperationAST(document, operationName)
    const root = op?.operation === 'subscription' && op.selectionSet.selections.length === 1 ? op.selectionSet.selections[0] : undefined
    let probe: Probe | null = null
    if (op && root?.kind === Kind.FIELD && !root.directives?.length && root.selectionSet) {
        const def = schema.getSubscriptionType()?.getFields()[root.name.value]
        const type = def ? getNamedType(def.type) : undefined
        const fields = type && isObjectType(type) ? type.getFields() : {}
        const extra: SelectionNode[] = (Object.keys(PROBES) as (keyof typeof PROBES)[])
            .filter((f) => fields[f])
            .map((f) => ({ kind: Kind.FIELD, alias: { kind: Kind.NAME, value: PROBES[f] }, name: { kind: Kind.NAME, value: f } }))
        if (extra.length) {
            const field: FieldNode = { ...root, selectionSet: { ...root.selectionSet, selections: [...root.selectionSet.selections, ...extra] } }
            const operation: OperationDefinitionNode = { ...op, selectionSet: { ...op.selectionSet, selections: [field] } }
            probe = { document: { ...document, definitions: document.definitions.map((d) => (d === op ? operation : d)) }, key: root.alias?.value ?? root.name.value }
        }
    }
    byOp.set(operationName ?? '', probe)
    return probe
}

const rewritten = new WeakMap<ExecutionResult, ExecutionResult>()

function rewrite(result: ExecutionResult, key: string): ExecutionResult {
    const done = rewritten.get(result)
    if (done) return done
    const event = result.data?.[key] as Record<string, unknown> | null | undefined
    let out = result
    if (event && typeof event === 'object') {
        const { [PROBES.reorg]: reorg, [PROBES.removed]: removed, ...rest } = event
        out = { ...result, data: { ...result.data, [key]: rest } }
        if (reorg === true || removed === true) out.extensions = { ...result.extensions, reorg: true, ...(removed === true ? { removed: true } : {}) }
    }
    rewritten.set(result, out)
    return out
}

type Source = AsyncIterableIterator<ExecutionResult> | ExecutionResult
const isAsyncIterable = (v: unknown): v is AsyncIterableIterator<ExecutionResult> => v != null && typeof (v as any)[Symbol.asyncIterator] === 'function'

/**
 * The arguments to subscribe with (the hidden selection added) and the rewrite of their results, or no rewrite when
 * the root field has no `reorg` field. The rewrite is cached per result object: once per shared execution.
 */
export function reorgProbe(args: ExecutionArgs): { args: ExecutionArgs; rewrite?: (r: ExecutionResult) => ExecutionResult } {
    const probe = probeOf(args.schema, args.document, args.operationName ?? undefined)
    if (!probe) return { args }
    return { args: { ...args, document: probe.document }, rewrite: (r) => rewrite(r, probe.key) }
}

/** `source` with `fn` applied to each result (for sources that are not delivered directly, pubsub/direct.ts). */
export function mapResults(source: Source, fn: (r: ExecutionResult) => ExecutionResult): Source {
    if (!isAsyncIterable(source)) return source
    const wrapped: AsyncIterableIterator<ExecutionResult> = {
        async next() {
            const r = await source.next()
            return r.done ? r : { value: fn(r.value), done: false }
        },
        return: () => source.return?.() ?? Promise.resolve({ value: undefined, done: true }),
        throw: (e?: unknown) => source.throw?.(e) ?? Promise.reject(e),
        [Symbol.asyncIterator]() {
            return wrapped
        },
    }
    return wrapped
}

/** Subscribe through `subscribe` (pubsub/shared.ts) with the hidden selection; results come back with the reorg extensions. */
export async function subscribeWithReorgExtensions(args: ExecutionArgs, subscribe: (args: ExecutionArgs) => Promise<Source>): Promise<Source> {
    const probed = reorgProbe(args)
    const source = await subscribe(probed.args)
    return probed.rewrite ? mapResults(source, probed.rewrite) : source
}

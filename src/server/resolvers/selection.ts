/**
 * The fields a resolver's caller selected on its result (fragments and inline fragments included, directives
 * ignored: a field under @skip/@include counts as selected). Resolvers that read wide rows select only these
 * columns. Cached per field node: documents are cached by query text (document-cache.ts), so the same node
 * comes back with every request of the same query.
 */
import { FieldNode, GraphQLResolveInfo, Kind, SelectionSetNode } from 'graphql'

const cache = new WeakMap<FieldNode, ReadonlySet<string>>()

export function selectedFields(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>): ReadonlySet<string> {
    const first = info.fieldNodes[0]
    const hit = first && info.fieldNodes.length === 1 ? cache.get(first) : undefined
    if (hit) return hit
    const out = new Set<string>()
    const seen = new Set<string>()
    const visit = (set: SelectionSetNode) => {
        for (const sel of set.selections) {
            if (sel.kind === Kind.FIELD) out.add(sel.name.value)
            else if (sel.kind === Kind.INLINE_FRAGMENT) visit(sel.selectionSet)
            else if (!seen.has(sel.name.value)) {
                seen.add(sel.name.value)
                const frag = info.fragments[sel.name.value]
                if (frag) visit(frag.selectionSet)
            }
        }
    }
    for (const node of info.fieldNodes) if (node.selectionSet) visit(node.selectionSet)
    if (first && info.fieldNodes.length === 1) cache.set(first, out)
    return out
}

import { Ctx as GqlCtx, Query, Resolver } from 'type-graphql'
import type { Ctx } from '../context'
import { services } from '../services'
import { readIndexerHead } from '../status/indexer'
import { IndexerStatus } from './status.type'

@Resolver()
export class StatusResolver {
    @Query(() => IndexerStatus, { description: 'Indexed head, finalized head, chain head and lag.' })
    async indexerStatus(@GqlCtx() ctx: Ctx): Promise<IndexerStatus> {
        const s = services(ctx)
        const [head, chainHead] = await Promise.all([readIndexerHead(s.db, s.stateSchema), s.chainHead.get()])
        const height = head && head.height >= 0 ? head.height : null
        return {
            height,
            hash: height == null ? null : head!.hash,
            finalizedHeight: head && head.finalizedHeight >= 0 ? head.finalizedHeight : null,
            finalizedHash: head && head.finalizedHeight >= 0 ? head.finalizedHash : null,
            chainHead: chainHead ?? null,
            lagBlocks: chainHead != null ? Math.max(0, chainHead - (height ?? -1)) : null,
            listening: s.listening(),
        }
    }
}

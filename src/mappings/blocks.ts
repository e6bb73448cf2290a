/**
 * Recording a block against the indexed state: its Block row, its MEV rows (mev.ts) and its proposer's counters,
 * from the block's facts (block-facts.ts, pure).
 */
import { Block as BlockEntity, Validator } from '../model'
import { epochOf } from '../validators/schedule'
import type { BlockFacts } from './block-facts'
import type { EpochContext } from './epochs'
import { BlockMevTotals, addBlockMev } from './mev'
import type { MappingState } from './state'
import { heightKey } from './util'

/**
 * The Block row of `facts`, its MEV rows, and the proposer's all-time counters. The proposer is the
 * validator whose fee recipient is the block's coinbase by the registry state BEFORE the block (its own
 * events are applied after this), the same state its epoch's schedule is drawn from.
 */
export function recordBlock(state: MappingState, ctx: EpochContext, facts: BlockFacts): { block: BlockEntity; mev: BlockMevTotals } {
    const proposer = (facts.miner && state.validatorByFeeRecipient.get(facts.miner)) || null
    const scheduled = ctx.scheduled(facts.height) ?? null
    const block = new BlockEntity({
        id: heightKey(facts.height),
        height: facts.height,
        hash: facts.hash,
        timestamp: new Date(facts.timestamp),
        epoch: epochOf(facts.height, ctx.epochBlocks),
        feeRecipient: facts.miner,
        proposer: proposer ? new Validator({ id: proposer }) : null,
        scheduledProposer: scheduled ? new Validator({ id: scheduled }) : null,
        missedSlot: scheduled != null && scheduled !== proposer,
        baseFee: facts.baseFee,
        gasUsed: facts.gasUsed,
        gasLimit: facts.gasLimit,
        txCount: facts.txCount,
        priorityFees: facts.priorityFees,
    })
    const mev = addBlockMev(state, facts, block, proposer)
    block.coinbaseTransfers = mev.coinbaseTransfers
    block.coinbaseTransferCount = mev.coinbaseTransferCount
    block.mevRevenue = mev.coinbaseTransfers
    block.swapCount = mev.swapCount
    block.arbitrageCount = mev.arbitrageCount
    block.sandwichCount = mev.sandwichCount
    state.blocks.push(block)
    if (facts.mevError) state.warnings.push(`MEV classifier failed on block ${facts.height}: ${facts.mevError}`)
    if (proposer) {
        const v = state.validators.get(proposer)
        if (v) {
            v.blocksProposed += 1
            v.priorityFees += facts.priorityFees
            v.mevRevenue += mev.coinbaseTransfers
            v.updatedAtBlock = facts.height
            state.validators.touch(v)
        }
    }
    return { block, mev }
}

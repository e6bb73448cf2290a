/**
 * Every type-graphql resolver the server mounts (next to the generated OpenReader API). Add new resolver
 * classes here; type-graphql needs at least one @Query among them.
 */
import { AnalyticsResolver } from './analytics.resolver'
import { ArbitrageDetailResolver, JitLiquidityDetailResolver, MevResolver, SandwichDetailResolver } from './mev.resolver'
import { MutationResolver } from './mutation.resolver'
import { SettlementResolver } from './settlement.resolver'
import { StatusResolver } from './status.resolver'
import { SubscriptionResolver } from './subscription.resolver'
import { UsageResolver } from './usage.resolver'
import { ValidatorResolver } from './validator.resolver'

export const resolvers = [
    SettlementResolver,
    AnalyticsResolver,
    StatusResolver,
    SubscriptionResolver,
    MutationResolver,
    ValidatorResolver,
    MevResolver,
    ArbitrageDetailResolver,
    SandwichDetailResolver,
    JitLiquidityDetailResolver,
    UsageResolver,
] as const

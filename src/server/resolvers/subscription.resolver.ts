/**
 * Push subscriptions. Each `subscribe` registers a bounded queue with the in-process Hub (filtered by
 * the optional argument); the ChangeFeed fills the queues from the processor's NOTIFY, one query per
 * topic and notice. No polling, no per-subscriber SQL.
 *
 * Auth: none of these fields is @Authorized: they expose the same indexed, public chain data as the
 * queries, so anonymous graphql-ws clients may subscribe. A key in connectionParams only changes the
 * caller's rate-limit bucket (an invalid key is refused at connection time).
 */
import { Arg, Root, Subscription, Resolver } from 'type-graphql'
import type { Ctx } from '../context'
import { apiError } from '../errors'
import { SubscriberFilter, Topic, TooManySubscribersError } from '../pubsub/hub'
import { FeedLost, SlowConsumer } from '../pubsub/queue'
import { services } from '../services'
import { BatchUpdateEvent, EscrowBalanceEvent, IndexerHeadEvent, PayoutClaimedEvent } from './subscription.type'
import * as v from './validate'

/** Register a subscriber with the hub (RATE_LIMITED when the server has too many). */
export function openSubscription(ctx: Ctx, topic: Topic, key?: string, filter?: SubscriberFilter) {
    // a subscription opened while the change feed is lost would stay silent
    if (services(ctx).feedLost?.()) throw apiError('UNAVAILABLE', 'the change feed is down (the server lost its database notifications); retry later')
    try {
        return services(ctx).hub.subscribe(topic, key, filter)
    } catch (e) {
        if (e instanceof TooManySubscribersError) throw apiError('RATE_LIMITED', 'the server has too many subscriptions open; retry later')
        throw e
    }
}

/** A queued value, or the error that ends a subscriber that did not keep up or whose change feed was lost. */
export function unwrapEvent<T>(payload: T | SlowConsumer | FeedLost): T {
    if (payload instanceof FeedLost) {
        throw apiError('UNAVAILABLE', `subscription ended: the change feed was lost (no database notifications for ${Math.round(payload.downForMs / 1000)} s); resubscribe`, {
            reason: 'FEED_LOST',
        })
    }
    if (payload instanceof SlowConsumer) {
        throw apiError('RATE_LIMITED', `subscription dropped: the client did not keep up (${payload.capacity} events queued)`, { reason: 'SLOW_CONSUMER' })
    }
    return payload
}


@Resolver()
export class SubscriptionResolver {
    @Subscription(() => IndexerHeadEvent, {
        description: 'Every committed processor batch: the new indexed head.',
        subscribe: (_root: unknown, _args: unknown, ctx: Ctx) => openSubscription(ctx, 'indexerHead'),
    })
    indexerHead(@Root() payload: IndexerHeadEvent | SlowConsumer): IndexerHeadEvent {
        return unwrapEvent(payload)
    }

    @Subscription(() => BatchUpdateEvent, {
        description: 'A batch changed (committed, disputed, resolved, finalised, rejected, claimed from). Pass `id` for one batch.',
        subscribe: (_root: unknown, args: { id?: string | null }, ctx: Ctx) => openSubscription(ctx, 'batchUpdated', args.id == null ? undefined : v.batchId(args.id, 'id')),
    })
    batchUpdated(@Root() payload: BatchUpdateEvent | SlowConsumer, @Arg('id', () => String, { nullable: true }) _id?: string): BatchUpdateEvent {
        return unwrapEvent(payload)
    }

    @Subscription(() => PayoutClaimedEvent, {
        description: 'A payout was claimed. Pass `payee` for one payee.',
        subscribe: (_root: unknown, args: { payee?: string | null }, ctx: Ctx) =>
            openSubscription(ctx, 'payoutClaimed', args.payee == null ? undefined : v.address(args.payee, 'payee')),
    })
    payoutClaimed(@Root() payload: PayoutClaimedEvent | SlowConsumer, @Arg('payee', () => String, { nullable: true }) _payee?: string): PayoutClaimedEvent {
        return unwrapEvent(payload)
    }

    @Subscription(() => EscrowBalanceEvent, {
        description: "A payer's escrow balance changed (deposit, withdrawal, lock, unlock, charge). Pass `payer` for one payer.",
        subscribe: (_root: unknown, args: { payer?: string | null }, ctx: Ctx) =>
            openSubscription(ctx, 'escrowBalanceChanged', args.payer == null ? undefined : v.address(args.payer, 'payer')),
    })
    escrowBalanceChanged(
        @Root() payload: EscrowBalanceEvent | SlowConsumer,
        @Arg('payer', () => String, { nullable: true }) _payer?: string,
    ): EscrowBalanceEvent {
        return unwrapEvent(payload)
    }
}

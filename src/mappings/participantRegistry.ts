import { Participant, ParticipantKind } from '../model'
import { EventMeta, OwnEventOf } from './decode'
import { MappingState } from './state'
import { PARTICIPANT_KIND_NAMES } from './util'

type Ev = OwnEventOf<'ParticipantRegistry'>

export function participantKind(kind: number): ParticipantKind {
    const name = PARTICIPANT_KIND_NAMES[kind]
    if (!name) throw new Error(`unknown ParticipantKind ${kind}`)
    return ParticipantKind[name]
}

export function prefetch(ev: Ev, state: MappingState): void {
    state.participants.want(ev.args.account.toLowerCase())
}

function ensureParticipant(state: MappingState, account: string, meta: EventMeta): Participant {
    let p = state.participants.get(account)
    if (p) return p
    state.warnings.push(`participant ${account} changed at ${meta.id} but was never registered in the indexed range; created a stub`)
    const at = new Date(meta.timestamp)
    p = new Participant({
        id: account,
        kind: ParticipantKind.AI_PLATFORM,
        payoutAddress: '',
        metadataURI: '',
        active: true,
        pricePerThousand: 0n,
        consent: false,
        registrationCount: 0,
        registeredBy: '',
        registeredAt: at,
        registeredAtBlock: meta.blockNumber,
        updatedAt: at,
        updatedAtBlock: meta.blockNumber,
    })
    return state.participants.add(p)
}

export function handle(ev: Ev, state: MappingState): void {
    const { meta } = ev
    const at = new Date(meta.timestamp)
    const account = ev.args.account.toLowerCase()
    switch (ev.name) {
        case 'ParticipantRegistered': {
            // (Re-)registration starts from clean terms, as in the contract.
            const p =
                state.participants.get(account) ??
                state.participants.add(new Participant({ id: account, registrationCount: 0 }))
            p.kind = participantKind(ev.args.kind)
            p.payoutAddress = ev.args.payoutAddress.toLowerCase()
            p.metadataURI = ev.args.metadataURI
            p.active = true
            p.pricePerThousand = 0n
            p.consent = false
            p.registrationCount += 1
            p.registeredBy = ev.args.actor.toLowerCase()
            p.registeredAt = at
            p.registeredAtBlock = meta.blockNumber
            p.updatedAt = at
            p.updatedAtBlock = meta.blockNumber
            p.termsUpdatedAt = null
            p.deactivatedAt = null
            p.deactivatedBy = null
            state.participants.touch(p)
            break
        }
        case 'ParticipantUpdated': {
            const p = ensureParticipant(state, account, meta)
            p.payoutAddress = ev.args.payoutAddress.toLowerCase()
            p.metadataURI = ev.args.metadataURI
            p.updatedAt = at
            p.updatedAtBlock = meta.blockNumber
            state.participants.touch(p)
            break
        }
        case 'PublisherTermsSet': {
            const p = ensureParticipant(state, account, meta)
            p.pricePerThousand = ev.args.pricePerThousand
            p.consent = ev.args.consent
            p.termsUpdatedAt = at
            p.updatedAt = at
            p.updatedAtBlock = meta.blockNumber
            state.participants.touch(p)
            break
        }
        case 'ParticipantDeactivated': {
            const p = ensureParticipant(state, account, meta)
            p.active = false
            p.deactivatedAt = at
            p.deactivatedBy = ev.args.actor.toLowerCase()
            p.updatedAt = at
            p.updatedAtBlock = meta.blockNumber
            state.participants.touch(p)
            break
        }
    }
}

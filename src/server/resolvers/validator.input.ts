import { registerEnumType } from 'type-graphql'

/** How a delegator tilts the configured score weights (src/validators/recommend.ts `tiltedWeights`). */
export enum RiskTolerance {
    LOW = 'LOW',
    MEDIUM = 'MEDIUM',
    HIGH = 'HIGH',
}
registerEnumType(RiskTolerance, {
    name: 'RiskTolerance',
    description: 'LOW: risk ×2, reliability and consistency ×1.5, MEV ×0.5; MEDIUM: the configured weights; HIGH: MEV ×1.75, risk ×0.5, consistency ×0.75 (then renormalised to 1).',
})

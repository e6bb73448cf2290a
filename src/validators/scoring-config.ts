import * as fs from 'fs'
import { ConfigError, scoringConfigFile } from '../config'

export const COMPONENTS = ['mevPotential', 'reliability', 'commission', 'decentralization', 'consistency', 'risk'] as const
export type Component = (typeof COMPONENTS)[number]
export type Weights = Record<Component, number>

export interface ScoringParams {
    /** How many recent epochs a score looks at. */
    windowEpochs: number
    /** Commission at or above this scores 0 on the commission component. */
    maxCommissionBps: number
    /** Subtracted from the commission component per commission increase in the window. */
    commissionHikePenalty: number
    /** Subtracted from reliability per block of the longest run of missed slots... */
    missStreakPenalty: number
    /** ...up to this much. */
    maxMissStreakPenalty: number
    /** A stake share at or above this scores 0 on decentralisation. */
    concentrationCap: number
    /** Risk deductions: jailed in the window, per slashing (capped), sandwiches in own blocks (scaled by share of blocks). */
    jailPenalty: number
    slashPenalty: number
    maxSlashPenalty: number
    sandwichPenalty: number
    /** Share of the MEV-potential component given to the revenue trend (the rest is the level). */
    trendWeight: number
}

export interface ScoringConfig {
    weights: Weights
    params: ScoringParams
}

export class ScoringConfigError extends ConfigError {
    constructor(message: string) {
        super('SCORING_CONFIG', message)
        this.name = 'ScoringConfigError'
    }
}

/** Validate a config: every component weighted, weights in [0,1] adding up to 1, parameters finite and sane. */
export function validateScoringConfig(raw: any): ScoringConfig {
    if (!raw || typeof raw !== 'object') throw new ScoringConfigError('scoring config must be a JSON object')
    const weights = raw.weights ?? {}
    for (const c of COMPONENTS) {
        const w = weights[c]
        if (typeof w !== 'number' || !Number.isFinite(w) || w < 0 || w > 1) {
            throw new ScoringConfigError(`scoring weight "${c}" must be a number in [0, 1], got ${JSON.stringify(w)}`)
        }
    }
    const unknown = Object.keys(weights).filter((k) => !(COMPONENTS as readonly string[]).includes(k))
    if (unknown.length) throw new ScoringConfigError(`unknown scoring weight(s): ${unknown.join(', ')}`)
    const sum = COMPONENTS.reduce((s, c) => s + weights[c], 0)
    if (Math.abs(sum - 1) > 1e-9) throw new ScoringConfigError(`scoring weights must add up to 1, they add up to ${sum}`)
    const params = raw.params ?? {}
    for (const [k, v] of Object.entries(params)) {
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new ScoringConfigError(`scoring param "${k}" must be a non-negative number`)
    }
    if (!(params.windowEpochs >= 1)) throw new ScoringConfigError('scoring param "windowEpochs" must be at least 1')
    if (!(params.maxCommissionBps > 0)) throw new ScoringConfigError('scoring param "maxCommissionBps" must be positive')
    if (!(params.concentrationCap > 0 && params.concentrationCap <= 1)) throw new ScoringConfigError('scoring param "concentrationCap" must be in (0, 1]')
    return { weights: { ...weights }, params: { ...params } as ScoringParams }
}

/** The config from SCORING_CONFIG (a JSON file path) or config/scoring.json. */
export function loadScoringConfig(file = scoringConfigFile()): ScoringConfig {
    let raw: any
    try {
        raw = JSON.parse(fs.readFileSync(file, 'utf8'))
    } catch (e: any) {
        throw new ScoringConfigError(`cannot read scoring config ${file}: ${e.message}`)
    }
    return validateScoringConfig(raw)
}

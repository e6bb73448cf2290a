import { registerEnumType } from 'type-graphql'

export enum StatInterval {
    HOUR = 'HOUR',
    DAY = 'DAY',
}
registerEnumType(StatInterval, { name: 'StatInterval', description: 'Rollup granularity (UTC hours or days).' })

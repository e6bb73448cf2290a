/** The shape of one entry of VIEW_CHECKS (versioned.ts): a versioned entity's rows against the contracts' views. */
import { Views } from './connect'
import { Checker } from './types'

export type Row = Record<string, any>

/** The rows of every VIEW_CHECKS entity, by entity name (some checks compare across entities). */
export type IndexedRows = Record<string, Row[]>

export interface ViewCheck {
    /** entity name, as in VERSIONED */
    entity: string
    /** current-state table (its history table is `<table>_history`) */
    table: string
    /** the columns the check reads */
    columns: string[]
    /** compare the rows (all of the entity's rows at that block) with the views at `ck.blockTag` */
    check(rows: Row[], v: Views, ck: Checker, all: IndexedRows): Promise<void>
}

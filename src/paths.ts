import * as fs from 'fs'
import * as path from 'path'

let cached: string | undefined

/** The folder holding package.json; works from src/ (ts-jest) and from lib/ (compiled). */
export function projectRoot(): string {
    if (cached) return cached
    let dir = __dirname
    while (!fs.existsSync(path.join(dir, 'package.json'))) {
        const parent = path.dirname(dir)
        if (parent === dir) throw new Error(`cannot find package.json above ${__dirname}`)
        dir = parent
    }
    cached = dir
    return dir
}

/**
 * Tiny logger for the dev stack: `HH:MM:SS [component] message`.
 *
 * Multi-line messages get the prefix on every line so interleaved output from
 * several components stays readable.
 */

export type LogSink = (line: string) => void

const defaultSink: LogSink = (line) => {
    process.stdout.write(line + '\n')
}

let sink: LogSink = defaultSink

/** Redirect log output (tests, or to silence the stack). Returns the previous sink. */
export function setLogSink(next: LogSink | null): LogSink {
    const prev = sink
    sink = next ?? defaultSink
    return prev
}

export function timestamp(d: Date = new Date()): string {
    const p = (n: number) => String(n).padStart(2, '0')
    return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`
}

export function log(component: string, msg: string): void {
    const ts = timestamp()
    for (const line of String(msg).split(/\r?\n/)) {
        sink(`${ts} [${component}] ${line}`)
    }
}

/** `log` bound to one component. */
export function logger(component: string): (msg: string) => void {
    return (msg) => log(component, msg)
}

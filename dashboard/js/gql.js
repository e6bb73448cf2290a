// The page's only data sources: GraphQL over HTTP (POST /graphql) and a minimal graphql-ws client
// (`graphql-transport-ws` protocol: connection_init/ack, subscribe, next, error, complete, ping/pong),
// reconnecting with backoff and re-subscribing everything after a drop.

export class ApiError extends Error {
  constructor(message, code, retryAfterMs) {
    super(message)
    this.code = code
    this.retryAfterMs = retryAfterMs
  }
}

/** One GraphQL request; resolves `data`, rejects with ApiError (code from extensions.code or the HTTP status). */
export async function query(source, variables = {}, timeoutMs = 10_000) {
  let res
  try {
    res = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: source, variables }),
      signal: AbortSignal.timeout(timeoutMs),
    })
  } catch (e) {
    throw new ApiError(`API unreachable (${e.name})`, 'UNREACHABLE')
  }
  const body = await res.json().catch(() => null)
  const err = body?.errors?.[0]
  if (res.status === 429 || err?.extensions?.code === 'RATE_LIMITED') {
    throw new ApiError('rate limited', 'RATE_LIMITED', Number(res.headers.get('retry-after') || 1) * 1000)
  }
  if (!res.ok || err || !body?.data) throw new ApiError(err?.message ?? `HTTP ${res.status}`, err?.extensions?.code ?? `HTTP_${res.status}`)
  return body.data
}

const PROTOCOL = 'graphql-transport-ws'

/**
 * A graphql-ws connection that survives drops. `onState(state)` gets 'connecting' | 'live' | 'reconnecting';
 * `onReconnected()` runs after a connection comes back (events may have been missed: refetch).
 */
export class LiveSocket {
  constructor(url, { onState = () => {}, onReconnected = () => {} } = {}) {
    this.url = url
    this.onState = onState
    this.onReconnected = onReconnected
    this.subs = new Map()
    this.nextId = 1
    this.attempt = 0
    this.everConnected = false
    this.ws = null
    this.state = 'connecting'
  }

  /** Subscribe for the socket's lifetime (re-sent on every reconnect); returns an unsubscribe function. */
  subscribe(source, variables, onData) {
    const id = String(this.nextId++)
    this.subs.set(id, { source, variables, onData })
    if (this.state === 'live') this.sendSubscribe(id)
    return () => {
      this.subs.delete(id)
      if (this.state === 'live') this.send({ id, type: 'complete' })
    }
  }

  start() {
    this.connect()
  }

  connect() {
    clearTimeout(this.retryTimer)
    const ws = new WebSocket(this.url, PROTOCOL)
    this.ws = ws
    let ackTimer
    ws.onopen = () => {
      this.send({ type: 'connection_init', payload: {} })
      // a server that accepts the socket but never acknowledges: drop it and retry
      ackTimer = setTimeout(() => ws.close(4408, 'no connection_ack'), 8_000)
    }
    ws.onmessage = (ev) => {
      let msg
      try {
        msg = JSON.parse(ev.data)
      } catch {
        return
      }
      switch (msg.type) {
        case 'connection_ack': {
          clearTimeout(ackTimer)
          const again = this.everConnected
          this.everConnected = true
          this.attempt = 0
          this.setState('live')
          for (const id of this.subs.keys()) this.sendSubscribe(id)
          if (again) this.onReconnected()
          break
        }
        case 'next':
          if (msg.payload?.errors?.length) console.warn('subscription error', msg.payload.errors[0].message)
          else this.subs.get(msg.id)?.onData(msg.payload.data)
          break
        case 'error':
          console.warn('subscription refused', msg.payload?.[0]?.message)
          break
        case 'ping':
          this.send({ type: 'pong' })
          break
        default:
          break // pong, complete
      }
    }
    ws.onclose = () => {
      clearTimeout(ackTimer)
      if (this.ws !== ws || this.stopped) return
      this.setState('reconnecting')
      // 0.5 s, 1 s, 2 s … capped at 10 s, with jitter so many pages do not come back in step
      const delay = Math.min(10_000, 500 * 2 ** this.attempt++) * (0.8 + Math.random() * 0.4)
      this.retryTimer = setTimeout(() => this.connect(), delay)
    }
    ws.onerror = () => {} // onclose follows and handles it
  }

  sendSubscribe(id) {
    const s = this.subs.get(id)
    this.send({ id, type: 'subscribe', payload: { query: s.source, variables: s.variables ?? {} } })
  }

  send(msg) {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg))
  }

  setState(state) {
    if (state === this.state) return
    this.state = state
    this.onState(state)
  }

  stop() {
    this.stopped = true
    clearTimeout(this.retryTimer)
    this.ws?.close(1000)
  }
}

/** Call `fn` at most once per `ms`, after the last request in a burst (trailing debounce with a max wait). */
export function debounce(fn, ms) {
  let timer = null
  let first = 0
  return () => {
    const now = Date.now()
    if (!timer) first = now
    clearTimeout(timer)
    const wait = Math.max(0, Math.min(ms, first + ms * 3 - now))
    timer = setTimeout(() => {
      timer = null
      fn()
    }, wait)
  }
}

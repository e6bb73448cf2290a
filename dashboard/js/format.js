// Formatting helpers: amounts arrive as base-unit decimal strings (BigInt scalars), addresses lowercase hex.

/** base units → decimal string with at most `maxFrac` fraction digits (no float rounding on the integer part) */
export function units(raw, decimals = 18, maxFrac = 2) {
  if (raw == null) return '–'
  let v = BigInt(raw)
  const neg = v < 0n
  if (neg) v = -v
  const base = 10n ** BigInt(decimals)
  const int = v / base
  let frac = (v % base).toString().padStart(decimals, '0').slice(0, maxFrac).replace(/0+$/, '')
  const text = int.toLocaleString('en-US') + (frac ? '.' + frac : '')
  return (neg ? '-' : '') + text
}

/** base units → Number in whole tokens (for chart geometry only; labels use `units`) */
export function toNumber(raw, decimals = 18) {
  if (raw == null) return 0
  const v = BigInt(raw)
  const base = 10n ** BigInt(decimals)
  return Number(v / base) + Number(v % base) / Number(base)
}

/** short human number for axes: 1.2k, 3.4M */
export function compact(n) {
  const a = Math.abs(n)
  if (a >= 1e9) return (n / 1e9).toFixed(1).replace(/\.0$/, '') + 'B'
  if (a >= 1e6) return (n / 1e6).toFixed(1).replace(/\.0$/, '') + 'M'
  if (a >= 1e3) return (n / 1e3).toFixed(1).replace(/\.0$/, '') + 'k'
  if (a >= 10 || a === 0) return String(Math.round(n))
  return n.toPrecision(2)
}

export const short = (addr) => (addr ? `${addr.slice(0, 6)}…${addr.slice(-4)}` : '–')

export function pct(x) {
  return x == null ? '–' : `${(x * 100).toFixed(1)}%`
}

/** seconds → "42 s", "3.5 min", "2.1 h", "1.4 d" */
export function duration(s) {
  if (s == null) return '–'
  if (s < 120) return `${Math.round(s)} s`
  if (s < 7200) return `${(s / 60).toFixed(1)} min`
  if (s < 172800) return `${(s / 3600).toFixed(1)} h`
  return `${(s / 86400).toFixed(1)} d`
}

export function timeLabel(iso, interval) {
  const d = new Date(iso)
  const p = (n) => String(n).padStart(2, '0')
  return interval === 'HOUR' ? `${p(d.getUTCHours())}:00` : `${d.getUTCMonth() + 1}/${d.getUTCDate()}`
}

/** Create an element: h('td', { class: 'num', dataset: { raw } }, 'text', child…) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue
    if (k === 'dataset') Object.assign(el.dataset, v)
    else if (k === 'class') el.className = v
    else if (k === 'style') Object.assign(el.style, v) // CSSOM, not an attribute: the page's CSP forbids inline styles
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v)
    else el.setAttribute(k, v === true ? '' : v)
  }
  for (const c of children.flat()) if (c != null && c !== false) el.append(c instanceof Node ? c : String(c))
  return el
}

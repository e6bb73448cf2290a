// Small SVG charts drawn by hand (no library): bars (grouped or stacked), lines, and one-row stacked bars.
// Colours come from CSS classes (.s1 … .s6), so light and dark themes apply without redrawing.
import { compact, h } from './format.js'

const NS = 'http://www.w3.org/2000/svg'

function s(tag, attrs = {}, text) {
  const el = document.createElementNS(NS, tag)
  for (const [k, v] of Object.entries(attrs)) if (v != null) el.setAttribute(k, v)
  if (text != null) el.textContent = text
  return el
}

function niceMax(v) {
  if (!(v > 0)) return 1
  const p = 10 ** Math.floor(Math.log10(v))
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p
  return 10 * p
}

function frame(host, { height = 220, yMax, yMin = 0, yFormat = compact, label }) {
  const W = Math.max(280, Math.round(host.clientWidth || 600))
  const H = height
  const pad = { l: 52, r: 8, t: 10, b: 26 }
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, width: '100%', height: H, role: 'img', 'aria-label': label })
  svg.append(s('title', {}, label))
  const y = (v) => pad.t + (H - pad.t - pad.b) * (1 - (v - yMin) / (yMax - yMin || 1))
  for (let i = 0; i <= 4; i++) {
    const v = yMin + ((yMax - yMin) * i) / 4
    svg.append(s('line', { x1: pad.l, x2: W - pad.r, y1: y(v), y2: y(v), class: 'gridline' }))
    svg.append(s('text', { x: pad.l - 6, y: y(v) + 4, class: 'axis', 'text-anchor': 'end' }, yFormat(v)))
  }
  return { svg, W, H, pad, y }
}

function xLabels(f, labels, xAt) {
  const every = Math.max(1, Math.ceil(labels.length / Math.floor((f.W - f.pad.l) / 56)))
  labels.forEach((l, i) => {
    if (i % every === 0) f.svg.append(s('text', { x: xAt(i), y: f.H - 8, class: 'axis', 'text-anchor': 'middle' }, l))
  })
}

export function legend(series) {
  return h('div', { class: 'legend' }, series.map((se) => h('span', {}, h('i', { class: `swatch ${se.cls}` }), se.name)))
}

/**
 * Bars per label, one per series side by side (or stacked). series: [{ name, cls, values: number[],
 * data?: (i) => dataset for that bar's rect }]
 */
export function barChart(host, { labels, series, stacked = false, yFormat, label, height }) {
  const totals = labels.map((_, i) => (stacked ? series.reduce((a, se) => a + (se.values[i] || 0), 0) : Math.max(0, ...series.map((se) => se.values[i] || 0))))
  const f = frame(host, { height, yMax: niceMax(Math.max(0, ...totals)), yFormat, label })
  const slot = (f.W - f.pad.l - f.pad.r) / Math.max(1, labels.length)
  const gap = Math.min(6, slot * 0.2)
  const barW = stacked ? slot - gap : (slot - gap) / series.length
  labels.forEach((_, i) => {
    let base = 0
    series.forEach((se, k) => {
      const v = se.values[i] || 0
      const x = f.pad.l + i * slot + gap / 2 + (stacked ? 0 : k * barW)
      const y0 = f.y(base)
      const y1 = f.y(base + v)
      const rect = s('rect', { x, y: Math.min(y0, y1), width: Math.max(1, barW - (stacked ? 0 : 1)), height: Math.max(v > 0 ? 1 : 0, Math.abs(y0 - y1)), class: se.cls })
      rect.append(s('title', {}, `${labels[i]} · ${se.name}: ${se.format ? se.format(i) : compact(v)}`))
      for (const [dk, dv] of Object.entries(se.data?.(i) ?? {})) rect.dataset[dk] = dv
      f.svg.append(rect)
      if (stacked) base += v
    })
  })
  xLabels(f, labels, (i) => f.pad.l + (i + 0.5) * slot)
  host.replaceChildren(f.svg, legend(series))
  return f.svg
}

/** Lines over the same labels. series: [{ name, cls, values: (number|null)[] }] */
export function lineChart(host, { labels, series, yMin = 0, yMax, yFormat, label, height }) {
  const all = series.flatMap((se) => se.values.filter((v) => v != null))
  const f = frame(host, { height, yMin, yMax: yMax ?? niceMax(Math.max(0, ...all)), yFormat, label })
  const step = (f.W - f.pad.l - f.pad.r) / Math.max(1, labels.length - 1)
  const xAt = (i) => f.pad.l + (labels.length === 1 ? (f.W - f.pad.l - f.pad.r) / 2 : i * step)
  for (const se of series) {
    const pts = se.values.map((v, i) => (v == null ? null : [xAt(i), f.y(v)])).filter(Boolean)
    if (pts.length > 1) f.svg.append(s('polyline', { points: pts.map((p) => p.join(',')).join(' '), class: `line ${se.cls}` }))
    se.values.forEach((v, i) => {
      if (v == null) return
      const dot = s('circle', { cx: xAt(i), cy: f.y(v), r: 3, class: `dot ${se.cls}` })
      dot.append(s('title', {}, `${labels[i]} · ${se.name}: ${v.toFixed(3)}`))
      dot.dataset.value = String(v)
      f.svg.append(dot)
    })
  }
  xLabels(f, labels, xAt)
  host.replaceChildren(f.svg, legend(series))
  return f.svg
}

/** One horizontal bar made of segments ([{ key, value, cls, title }]) on a 0..max scale. */
export function stackedBar(segments, max = 1) {
  const svg = s('svg', { viewBox: '0 0 100 10', preserveAspectRatio: 'none', class: 'stack', role: 'img' })
  svg.append(s('rect', { x: 0, y: 0, width: 100, height: 10, class: 'track' }))
  let x = 0
  for (const seg of segments) {
    const w = (Math.max(0, seg.value) / max) * 100
    const r = s('rect', { x, y: 0, width: w, height: 10, class: seg.cls })
    r.append(s('title', {}, seg.title))
    r.dataset.component = seg.key
    r.dataset.value = String(seg.value)
    svg.append(r)
    x += w
  }
  return svg
}

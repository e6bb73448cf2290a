// The settlement tab: escrow per token, batches by status, the live feed, committed/claimed over time,
// latency percentiles, dispute/rejection rates, top publishers and payers.
import { barChart } from './charts.js'
import { duration, h, pct, short, timeLabel, toNumber, units } from './format.js'
import { debounce, query } from './gql.js'

const STATUSES = ['COMMITTED', 'DISPUTED', 'REJECTED', 'FINALIZED']
const RANGES = { '24h': 24, '7d': 24 * 7, '30d': 24 * 30, '90d': 24 * 90 }
const HOUR = 3_600_000
const DAY = 24 * HOUR

const SETTLEMENT = `query Settlement($from: DateTime!, $to: DateTime!, $interval: StatInterval!, $dayFrom: DateTime!, $dayTo: DateTime!) {
  tokens(orderBy: escrowHeld_DESC, limit: 20) { id symbol decimals }
  escrowUtilisation { token symbol held locked available utilisation }
  ${STATUSES.map((s) => `${s.toLowerCase()}: batchesConnection(orderBy: id_ASC, where: { status_eq: ${s} }) { totalCount }`).join('\n  ')}
  tokenActivity(from: $from, to: $to, interval: $interval) { token bucket committedAmount claimedAmount }
  tokenTotals(from: $from, to: $to) { token committedAmount claimedAmount batchCount claimCount }
  settlementLatency(from: $from, to: $to) { commitToFinalize { count p50 p99 max } finalizeToClaim { count p50 p99 max } }
  disputeRate(from: $from, to: $to) { overall { batchCount disputeCount rejectedBatchCount disputeRate rejectionRate } }
  topPublishers(from: $dayFrom, to: $dayTo, limit: 5) { rank account token receivedAmount claimCount }
  topPayers(from: $dayFrom, to: $dayTo, limit: 5) { rank account token paidAmount committedAmount batchCount }
}`
const RECENT = `{ batches(limit: 12, orderBy: updatedAtBlock_DESC) { id status totalAmount claimCount claimedAmount updatedAtBlock token { id } } }`
// `reorg` / `removed`: after a reorg the server pushes each row it had pushed from the abandoned blocks again, as it
// is on the new branch, or marked `removed` when only those blocks had it
const BATCH_UPDATED = `subscription { batchUpdated { id status token totalAmount claimCount claimedAmount updatedAtBlock reorg removed } }`
const PAYOUT_CLAIMED = `subscription { payoutClaimed { id batchId payee token amount blockNumber txHash reorg removed } }`
const ESCROW_CHANGED = `subscription { escrowBalanceChanged { token available locked } }`

/** [from, to) aligned on the bucket size, `to` the end of the current bucket */
export function rangeOf(rangeKey, interval, now = Date.now()) {
  const step = interval === 'HOUR' ? HOUR : DAY
  const to = Math.ceil((now + 1) / step) * step
  const from = to - Math.max(step, Math.ceil((RANGES[rangeKey] * HOUR) / step) * step)
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString(), step }
}

export function settlementTab(root, { live, onError }) {
  const $ = (sel) => root.querySelector(sel)
  const state = { range: '24h', interval: 'HOUR', token: null, data: null, feed: [] }
  const tokens = new Map() // id → { symbol, decimals }
  const tok = (id) => tokens.get(id) ?? { symbol: short(id), decimals: 18 }
  const amount = (raw, token) => `${units(raw, tok(token).decimals)} ${tok(token).symbol}`

  $('#range').addEventListener('change', (e) => ((state.range = e.target.value), refresh()))
  $('#interval').addEventListener('change', (e) => ((state.interval = e.target.value), refresh()))
  $('#token').addEventListener('change', (e) => ((state.token = e.target.value), render()))

  async function refresh() {
    const { from, to } = rangeOf(state.range, state.interval)
    const dayFrom = new Date(Math.floor(Date.parse(from) / DAY) * DAY).toISOString()
    const dayTo = new Date(Math.ceil(Date.parse(to) / DAY) * DAY).toISOString()
    try {
      const data = await query(SETTLEMENT, { from, to, interval: state.interval, dayFrom, dayTo })
      for (const t of data.tokens) tokens.set(t.id, t)
      state.data = { ...data, from, to, interval: state.interval, dayFrom, dayTo }
      if (!state.token || !tokens.has(state.token)) state.token = data.escrowUtilisation[0]?.token ?? data.tokens[0]?.id ?? null
      render()
    } catch (e) {
      onError(e, refresh)
    }
  }
  const refreshSoon = debounce(refresh, 700)

  async function loadFeed() {
    try {
      const { batches } = await query(RECENT)
      state.feed = []
      for (const b of batches.reverse()) pushFeed(batchItem({ ...b, token: b.token.id }), false)
      renderFeed()
    } catch (e) {
      onError(e, loadFeed)
    }
  }

  function batchItem(b) {
    const what = b.status === 'FINALIZED' && b.claimCount > 0 ? `${b.claimCount} claims, ${amount(b.claimedAmount, b.token)} claimed` : amount(b.totalAmount, b.token)
    return { key: `b:${b.id}:${b.status}:${b.claimCount}`, kind: 'batch', id: b.id, status: b.status, block: b.updatedAtBlock, text: `batch ${short(b.id)} · ${what}` }
  }

  /** Take out the feed items `gone(item)` holds for; redraw when there were any. */
  function dropFeed(gone) {
    const kept = state.feed.filter((f) => !gone(f))
    if (kept.length === state.feed.length) return
    state.feed = kept
    renderFeed()
  }

  function pushFeed(item, draw = true) {
    if (state.feed.some((f) => f.key === item.key)) return
    state.feed.unshift({ ...item, fresh: draw })
    state.feed.length = Math.min(state.feed.length, 30)
    if (draw) renderFeed()
  }

  function renderFeed() {
    const items = state.feed.map((f) =>
      h('li', { class: f.fresh ? 'fresh' : '', dataset: { kind: f.kind, id: f.id, status: f.status ?? '' } },
        h('span', { class: `badge ${String(f.status || f.kind).toLowerCase()}` }, f.status ?? 'CLAIM'),
        h('span', { class: 'what' }, f.text),
        h('span', { class: 'muted' }, `#${f.block}`)),
    )
    $('#feed').replaceChildren(...(items.length ? items : [h('li', { class: 'muted' }, 'no batches yet')]))
  }

  function render() {
    const d = state.data
    if (!d) return
    // token picker
    const sel = $('#token')
    sel.replaceChildren(...d.tokens.map((t) => h('option', { value: t.id, selected: t.id === state.token }, `${t.symbol}`)))
    // escrow
    $('#escrow').replaceChildren(
      ...d.escrowUtilisation.map((e) =>
        h('tr', { dataset: { token: e.token, held: e.held, locked: e.locked, available: e.available } },
          h('th', {}, e.symbol ?? short(e.token)),
          h('td', { class: 'num' }, units(e.held, tok(e.token).decimals)),
          h('td', { class: 'num' }, units(e.locked, tok(e.token).decimals)),
          h('td', { class: 'num' }, units(e.available, tok(e.token).decimals)),
          h('td', { class: 'util' }, h('meter', { min: 0, max: 1, value: e.utilisation ?? 0 }), ' ', pct(e.utilisation)))),
    )
    if (!d.escrowUtilisation.length) $('#escrow').replaceChildren(h('tr', {}, h('td', { colspan: 5, class: 'muted' }, 'no escrow deposits yet')))
    // batches by status
    $('#statuses').replaceChildren(
      ...STATUSES.map((s) => h('div', { class: `tile ${s.toLowerCase()}`, dataset: { status: s, count: d[s.toLowerCase()].totalCount } },
        h('b', {}, d[s.toLowerCase()].totalCount.toLocaleString('en-US')), h('span', {}, s.toLowerCase()))),
    )
    renderActivity(d)
    renderRates(d)
    renderTop(d)
  }

  function renderActivity(d) {
    const t = tok(state.token)
    const step = d.interval === 'HOUR' ? HOUR : DAY
    const starts = []
    for (let x = Date.parse(d.from); x < Date.parse(d.to); x += step) starts.push(x)
    const byBucket = new Map(d.tokenActivity.filter((p) => p.token === state.token).map((p) => [Date.parse(p.bucket), p]))
    const raw = (x, f) => byBucket.get(x)?.[f] ?? '0'
    const host = $('#activity')
    Object.assign(host.dataset, { from: d.from, to: d.to, interval: d.interval, token: state.token ?? '' })
    barChart(host, {
      label: `Committed and claimed ${t.symbol} per ${d.interval.toLowerCase()}`,
      labels: starts.map((x) => timeLabel(x, d.interval)),
      yFormat: undefined,
      series: ['committedAmount', 'claimedAmount'].map((f, k) => ({
        name: k ? 'claimed' : 'committed',
        cls: k ? 's2' : 's1',
        values: starts.map((x) => toNumber(raw(x, f), t.decimals)),
        format: (i) => amount(raw(starts[i], f), state.token),
        data: (i) => ({ bucket: new Date(starts[i]).toISOString(), series: f, raw: raw(starts[i], f) }),
      })),
    })
    const totals = d.tokenTotals.find((x) => x.token === state.token)
    $('#totals').replaceChildren(
      h('span', { dataset: { total: 'committed', raw: totals?.committedAmount ?? '0' } }, 'committed ', h('b', {}, amount(totals?.committedAmount ?? '0', state.token)), ` in ${totals?.batchCount ?? 0} batches`),
      h('span', { dataset: { total: 'claimed', raw: totals?.claimedAmount ?? '0' } }, 'claimed ', h('b', {}, amount(totals?.claimedAmount ?? '0', state.token)), ` in ${totals?.claimCount ?? 0} claims`),
    )
  }

  function renderRates(d) {
    const lat = d.settlementLatency
    const row = (name, key, l) =>
      h('tr', { dataset: { latency: key, count: l.count, p50: l.p50 ?? '', p99: l.p99 ?? '' } },
        h('th', {}, name), h('td', { class: 'num' }, l.count), ...['p50', 'p99', 'max'].map((p) => h('td', { class: 'num' }, duration(l[p]))))
    $('#latency').replaceChildren(row('commit → finalize', 'commitToFinalize', lat.commitToFinalize), row('finalize → claim', 'finalizeToClaim', lat.finalizeToClaim))
    const o = d.disputeRate.overall
    $('#rates').replaceChildren(
      h('div', { class: 'tile', dataset: { rate: 'dispute', value: o.disputeRate ?? '' } }, h('b', {}, pct(o.disputeRate)), h('span', {}, `disputed (${o.disputeCount} of ${o.batchCount})`)),
      h('div', { class: 'tile', dataset: { rate: 'rejection', value: o.rejectionRate ?? '' } }, h('b', {}, pct(o.rejectionRate)), h('span', {}, `rejected (${o.rejectedBatchCount} of ${o.batchCount})`)),
    )
  }

  function renderTop(d) {
    const table = (rows, field, sub) => {
      const max = Math.max(1e-9, ...rows.map((r) => toNumber(r[field], tok(r.token).decimals)))
      if (!rows.length) return [h('tr', {}, h('td', { class: 'muted', colspan: 3 }, 'nothing in this range'))]
      return rows.map((r) =>
        h('tr', { dataset: { account: r.account, raw: r[field] } },
          h('td', { class: 'mono' }, short(r.account)),
          h('td', { class: 'barcell' }, h('i', { class: 'hbar s1', style: { width: `${((toNumber(r[field], tok(r.token).decimals) / max) * 100).toFixed(1)}%` } })),
          h('td', { class: 'num' }, amount(r[field], r.token), h('small', {}, sub(r)))))
    }
    $('#top-publishers').replaceChildren(...table(d.topPublishers, 'receivedAmount', (r) => ` · ${r.claimCount} claims`))
    $('#top-payers').replaceChildren(...table(d.topPayers, 'paidAmount', (r) => ` · ${r.batchCount} batches`))
    root.querySelectorAll('.since').forEach((el) => (el.textContent = `since ${d.dayFrom.slice(0, 10)}`))
  }

  live.subscribe(BATCH_UPDATED, {}, ({ batchUpdated: b }) => {
    // a reorg: the batch's transitions on the abandoned blocks (all of them, and its claims, when it is gone) leave
    // the feed; the figures are read again below
    if (b.reorg) dropFeed((f) => f.id === b.id && (b.removed || (f.kind === 'batch' && f.block > b.updatedAtBlock)))
    if (!b.removed) pushFeed(batchItem(b))
    refreshSoon()
  })
  live.subscribe(PAYOUT_CLAIMED, {}, ({ payoutClaimed: c }) => {
    const key = `c:${c.id}`
    if (c.removed) dropFeed((f) => f.key === key)
    else pushFeed({ key, kind: 'claim', id: c.batchId, status: null, block: c.blockNumber, text: `claim ${amount(c.amount, c.token)} → ${short(c.payee)} (batch ${short(c.batchId)})` })
    refreshSoon()
  })
  live.subscribe(ESCROW_CHANGED, {}, () => refreshSoon())

  return {
    refresh,
    refreshSoon,
    reload: () => refresh().then(loadFeed), // the feed's amounts need the tokens' decimals
    rerender: render,
  }
}

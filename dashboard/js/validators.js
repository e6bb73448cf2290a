// The validators & MEV tab: rankings (six score components as a stacked bar, with the weights used), one
// validator's score history and revenue per epoch (priority fees vs MEV), and the live MEV feed.
import { barChart, lineChart, stackedBar } from './charts.js'
import { h, pct, short, toNumber, units } from './format.js'
import { debounce, query } from './gql.js'

export const COMPONENTS = ['mevPotential', 'reliability', 'commission', 'decentralization', 'consistency', 'risk']
const C = COMPONENTS.join(' ')
const MEV_FIELDS = `id kind blockNumber timestamp transactionHash validator account token amount
  arbitrage { swapCount } sandwich { victimCount } coinbaseTransfer { amount }`

const VALIDATORS = `{
  tokens(limit: 50) { id symbol decimals }
  validatorRankings(limit: 25) { epoch rank total validator { address stake stakeShare jailed commissionBps }
    components { ${C} } weights { ${C} } contributions { ${C} } stat { blocksProposed missedSlots } }
  mevFeed(limit: 20) { ${MEV_FIELDS} }
}`
const HISTORY = `query History($validator: String!) {
  validatorScoreHistory(validator: $validator, limit: 48) { epoch rank total stat { blocksProposed priorityFees mevRevenue } }
}`
const MEV_DETECTED = `subscription { mevDetected { ${MEV_FIELDS} reorg removed } }`
const SCORE_UPDATED = `subscription { validatorScoreUpdated { epoch } }`

/** Where tx/block links point: an explorer given once as ?explorer=https://… (remembered), else the API itself. */
function explorer() {
  const given = new URLSearchParams(location.search).get('explorer')
  if (given && /^https?:\/\//.test(given)) localStorage.setItem('explorer', given.replace(/\/$/, ''))
  return localStorage.getItem('explorer')
}
const gqlLink = (q) => `/graphql?query=${encodeURIComponent(q)}`
export const blockLink = (n, base = explorer()) =>
  base ? `${base}/block/${n}` : gqlLink(`{ blocks(where: { height_eq: ${n} }) { height hash timestamp proposer { id } txCount priorityFees mevRevenue arbitrageCount sandwichCount } }`)
export const txLink = (hash, base = explorer()) =>
  base ? `${base}/tx/${hash}` : gqlLink(`{ mevEvents(where: { transactionHash_eq: "${hash}" }) { id kind blockNumber account pool token amount } }`)

export function validatorsTab(root, { live, onError }) {
  const $ = (sel) => root.querySelector(sel)
  const state = { data: null, selected: null, history: null, mev: [] }

  async function refresh() {
    try {
      state.data = await query(VALIDATORS)
      const ranks = state.data.validatorRankings
      if (!state.selected || !ranks.some((r) => r.validator.address === state.selected)) state.selected = ranks[0]?.validator.address ?? null
      state.mev = state.data.mevFeed
      renderRankings()
      renderMev()
      await loadHistory()
    } catch (e) {
      onError(e, refresh)
    }
  }
  const refreshSoon = debounce(refresh, 1_000)

  async function loadHistory() {
    if (!state.selected) return renderHistory()
    const { validatorScoreHistory } = await query(HISTORY, { validator: state.selected })
    state.history = validatorScoreHistory.slice().reverse() // oldest first
    renderHistory()
  }

  function renderRankings() {
    const ranks = state.data.validatorRankings
    $('#epoch').textContent = ranks.length ? `epoch ${ranks[0].epoch}` : 'no epoch scored yet'
    const w = ranks[0]?.weights
    $('#weights').replaceChildren(
      ...COMPONENTS.map((c, i) => h('span', { dataset: { weight: c, value: w?.[c] ?? '' } }, h('i', { class: `swatch s${i + 1}` }), `${c} `, h('b', {}, w ? w[c].toFixed(2) : '–'))),
    )
    const rows = ranks.map((r) =>
      h('li', { class: r.validator.address === state.selected ? 'selected' : '', dataset: { validator: r.validator.address, rank: r.rank, total: r.total }, tabindex: 0,
          onclick: () => select(r.validator.address), onkeydown: (e) => e.key === 'Enter' && select(r.validator.address) },
        h('span', { class: 'rank' }, `#${r.rank}`),
        h('span', { class: 'mono who' }, short(r.validator.address), r.validator.jailed ? h('em', { class: 'badge rejected' }, 'jailed') : null),
        stackedBar(COMPONENTS.map((c, i) => ({ key: c, value: r.contributions[c], cls: `s${i + 1}`, title: `${c}: component ${r.components[c].toFixed(3)} × weight ${r.weights[c].toFixed(2)} = ${r.contributions[c].toFixed(3)}` }))),
        h('b', { class: 'num' }, r.total.toFixed(3)),
        h('small', { class: 'muted meta' }, `stake ${pct(r.validator.stakeShare)} · fee ${(r.validator.commissionBps / 100).toFixed(1)}% · ${r.stat?.blocksProposed ?? 0} blocks`)),
    )
    $('#rankings').replaceChildren(...(rows.length ? rows : [h('li', { class: 'muted' }, 'no validator scored yet: scores appear at the end of the first epoch')]))
  }

  function renderHistory() {
    const hist = state.history ?? []
    $('#selected').textContent = state.selected ? short(state.selected) : '–'
    const labels = hist.map((x) => String(x.epoch))
    if (!hist.length) {
      $('#history').replaceChildren(h('p', { class: 'muted' }, 'no history'))
      $('#revenue').replaceChildren(h('p', { class: 'muted' }, 'no history'))
      return
    }
    lineChart($('#history'), {
      label: 'Delegation score per epoch', labels, yMin: 0, yMax: 1, yFormat: (v) => v.toFixed(2),
      series: [{ name: 'score (0–1)', cls: 's1', values: hist.map((x) => x.total) }],
    })
    const fees = (x) => x.stat?.priorityFees ?? '0'
    const mev = (x) => x.stat?.mevRevenue ?? '0'
    barChart($('#revenue'), {
      label: 'Revenue per epoch (ETH)', labels, stacked: true, yFormat: (v) => v.toPrecision(2),
      series: [
        { name: 'priority fees', cls: 's2', values: hist.map((x) => toNumber(fees(x))), format: (i) => `${units(fees(hist[i]), 18, 6)} ETH`, data: (i) => ({ epoch: hist[i].epoch, raw: fees(hist[i]) }) },
        { name: 'MEV', cls: 's3', values: hist.map((x) => toNumber(mev(x))), format: (i) => `${units(mev(hist[i]), 18, 6)} ETH`, data: (i) => ({ epoch: hist[i].epoch, raw: mev(hist[i]) }) },
      ],
    })
  }

  function mevText(m) {
    // tokens the protocol registered have a symbol and decimals; DEX-only tokens are shown by address (18 decimals)
    const t = state.data?.tokens.find((x) => x.id === m.token)
    const amt = m.amount == null ? '' : `${units(m.amount, t?.decimals ?? 18, 5)} ${t?.symbol ?? (m.token ? short(m.token) : 'ETH')}`
    if (m.kind === 'SANDWICH') return `sandwich, ${m.sandwich?.victimCount ?? '?'} victim(s), profit ${amt}`
    if (m.kind === 'ARBITRAGE') return `arbitrage over ${m.arbitrage?.swapCount ?? '?'} pools, profit ${amt}`
    if (m.kind === 'COINBASE_TRANSFER') return `coinbase transfer ${amt}`
    return `${m.kind.toLowerCase()} ${amt}`
  }

  function renderMev() {
    const items = state.mev.map((m) =>
      h('li', { class: m.fresh ? 'fresh' : '', dataset: { id: m.id, kind: m.kind } },
        h('span', { class: `badge ${m.kind.toLowerCase()}` }, m.kind.replace('_TRANSFER', '').toLowerCase()),
        h('span', { class: 'what' }, mevText(m), m.validator ? h('small', { class: 'muted' }, ` · proposer ${short(m.validator)}`) : null),
        h('span', { class: 'links' }, h('a', { href: blockLink(m.blockNumber), target: '_blank', rel: 'noopener' }, `#${m.blockNumber}`), ' ',
          h('a', { href: txLink(m.transactionHash), target: '_blank', rel: 'noopener', class: 'mono' }, short(m.transactionHash)))),
    )
    $('#mev').replaceChildren(...(items.length ? items : [h('li', { class: 'muted' }, 'no MEV detected yet')]))
  }

  function select(address) {
    state.selected = address
    renderRankings()
    loadHistory().catch((e) => onError(e, loadHistory))
  }

  live.subscribe(MEV_DETECTED, {}, ({ mevDetected: m }) => {
    const known = state.mev.some((x) => x.id === m.id)
    // a reorg: an event only the abandoned blocks had leaves the feed; one the new branch also has is shown as there
    if (m.removed) state.mev = state.mev.filter((x) => x.id !== m.id)
    else if (known && m.reorg) state.mev = state.mev.map((x) => (x.id === m.id ? { ...m, fresh: x.fresh } : x))
    else if (known) return
    else state.mev = [{ ...m, fresh: true }, ...state.mev].slice(0, 30)
    renderMev()
  })
  live.subscribe(SCORE_UPDATED, {}, () => refreshSoon())

  return { refresh, refreshSoon, reload: refresh, rerender: () => state.data && (renderRankings(), renderHistory()) }
}

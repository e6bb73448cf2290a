// Entry point: theme, tabs, indexer health (polled), the graphql-ws connection and its "reconnecting" banner.
import { debounce, LiveSocket, query } from './gql.js'
import { settlementTab } from './settlement.js'
import { validatorsTab } from './validators.js'

const $ = (sel) => document.querySelector(sel)
const HEALTH_MS = 3_000
const STATUS = `{ indexerStatus { height finalizedHeight chainHead lagBlocks listening } }`

// --- theme: follows the system until the toggle picks one, remembered per browser
function applyTheme(theme) {
  if (theme) document.documentElement.dataset.theme = theme
  else delete document.documentElement.dataset.theme
  const dark = theme ? theme === 'dark' : matchMedia('(prefers-color-scheme: dark)').matches
  $('#theme').textContent = dark ? '☀ light' : '☾ dark'
  $('#theme').setAttribute('aria-label', dark ? 'switch to the light theme' : 'switch to the dark theme')
}
applyTheme(localStorage.getItem('theme'))
$('#theme').addEventListener('click', () => {
  const dark = document.documentElement.dataset.theme ? document.documentElement.dataset.theme === 'dark' : matchMedia('(prefers-color-scheme: dark)').matches
  localStorage.setItem('theme', dark ? 'light' : 'dark')
  applyTheme(dark ? 'light' : 'dark')
})

// --- errors: shown in the header, never thrown at the console; retried later
function onError(e, retry) {
  if (e.code === 'UNREACHABLE') return // the socket's reconnect reloads everything
  $('#error').textContent = e.code === 'RATE_LIMITED' ? 'rate limited: retrying' : `API error: ${e.message}`
  $('#error').hidden = false
  console.warn('dashboard:', e.code, e.message)
  setTimeout(() => retry().then(() => ($('#error').hidden = true)), e.retryAfterMs ?? 5_000)
}

// --- live connection
const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`
const live = new LiveSocket(wsUrl, {
  onState(state) {
    document.documentElement.dataset.live = state
    $('#banner').hidden = state !== 'reconnecting'
    $('#live').textContent = state === 'live' ? '● live' : state === 'reconnecting' ? '○ reconnecting' : '○ connecting'
    $('#live').className = `pill ${state}`
  },
  onReconnected() {
    // events sent while we were away are lost: read everything again
    for (const t of Object.values(tabs)) t.reload()
    health()
  },
})

const tabs = {
  settlement: settlementTab($('#tab-settlement'), { live, onError }),
  validators: validatorsTab($('#tab-validators'), { live, onError }),
}

function showTab(name) {
  if (!tabs[name]) name = 'settlement'
  for (const key of Object.keys(tabs)) {
    $(`#tab-${key}`).hidden = key !== name
    $(`nav [data-tab="${key}"]`).setAttribute('aria-selected', String(key === name))
  }
  document.documentElement.dataset.view = name
  tabs[name].rerender()
}
for (const b of document.querySelectorAll('nav [data-tab]')) b.addEventListener('click', () => (location.hash = b.dataset.tab))
addEventListener('hashchange', () => showTab(location.hash.slice(1)))
addEventListener('resize', debounce(() => tabs[document.documentElement.dataset.view]?.rerender(), 200))

// --- indexer health
async function health() {
  try {
    const { indexerStatus: s } = await query(STATUS, {}, 5_000)
    const el = $('#health')
    Object.assign(el.dataset, { height: s.height ?? '', chainHead: s.chainHead ?? '', lag: s.lagBlocks ?? '' })
    $('#h-height').textContent = s.height?.toLocaleString('en-US') ?? '–'
    $('#h-head').textContent = s.chainHead?.toLocaleString('en-US') ?? '–'
    $('#h-lag').textContent = s.lagBlocks == null ? '–' : `${s.lagBlocks} blocks`
    $('#h-lag').className = s.lagBlocks > 20 ? 'warn' : ''
  } catch (e) {
    if (e.code !== 'UNREACHABLE') console.warn('dashboard: indexerStatus', e.message)
  }
}
live.subscribe(`subscription { indexerHead { height } }`, {}, ({ indexerHead }) => {
  $('#h-height').textContent = indexerHead.height.toLocaleString('en-US')
  $('#health').dataset.height = indexerHead.height
})

showTab(location.hash.slice(1))
live.start()
setInterval(health, HEALTH_MS)
Promise.all([health(), ...Object.values(tabs).map((t) => t.reload())]).then(() => (document.documentElement.dataset.ready = 'true'))

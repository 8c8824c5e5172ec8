// app.js: the dashboard page: /api/status, /api/history and /api/pnl from srmd, the /ws event
// stream; NOT GUARDED whenever srmd says so, does not answer, or the stream is lost.
'use strict';

const state = { status: null, history: [], pnl: null, streamOk: false, fetchOk: true,
  fetchError: '', ws: null, serverSkewMs: 0 };
const SVGNS = 'http://www.w3.org/2000/svg';

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v; else e.setAttribute(k, v);
  }
  for (const k of kids) if (k !== null && k !== undefined) e.append(k);
  return e;
}
function svg(tag, attrs) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  return e;
}
const money = (v) => (v < 0 ? '-$' : '$') + Math.abs(v).toLocaleString(undefined,
  { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const shareClass = (s) => (s >= 0.9 ? 'bad' : s >= 0.7 ? 'warn' : 'ok');
const localTime = (iso) => { const d = new Date(iso); return isNaN(d) ? iso : d.toLocaleString(); };

function countdown(ms) {
  if (ms <= 0) return 'ending';
  const s = Math.floor(ms / 1000), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
  const pad = (n) => String(n).padStart(2, '0');
  return (h > 0 ? h + 'h ' : '') + pad(m) + 'm ' + pad(s % 60) + 's';
}

async function getJSON(path) {
  const r = await fetch(path, { credentials: 'same-origin', cache: 'no-store' });
  if (!r.ok) {
    let msg = r.status + ' ' + r.statusText;
    try { const j = await r.json(); if (j.error) msg = j.error.message; } catch (e) { /* text */ }
    throw new Error(msg);
  }
  return r.json();
}

function banner() {
  const b = document.getElementById('banner');
  const d = state.status && state.status.daemon;
  let ok = false, reason;
  if (!state.fetchOk) reason = 'srmd does not answer: ' + state.fetchError;
  else if (!state.streamOk) reason = "the page lost srmd's event stream (reconnecting)";
  else if (!d) reason = 'connecting to srmd…';
  else if (!d.guarded) reason = d.notGuarded || d.lastError || d.phase;
  else { ok = true; reason = 'reconciled and connected since ' + localTime(d.guardSince) +
    (d.dryRun ? ' (dry run: nothing is sent)' : ''); }
  b.className = 'banner ' + (ok ? 'ok' : 'bad');
  document.getElementById('banner-state').textContent = ok ? 'GUARDED' : 'NOT GUARDED';
  document.getElementById('banner-reason').textContent = reason;
  document.title = (ok ? 'GUARDED' : 'NOT GUARDED') + ' · SRM';
}

function meter(label, used, limit, text, cls) {
  const share = limit > 0 ? used / limit : 0;
  const c = cls || shareClass(share);
  const fill = el('div', {});
  fill.style.width = Math.max(0, Math.min(100, share * 100)).toFixed(1) + '%';
  return el('div', { class: 'meter' },
    el('div', { class: 'lbl' }, el('span', {}, label), el('span', { class: 'c-' + c }, text)),
    el('div', { class: 'bar ' + c, role: 'meter', 'aria-label': label,
      'aria-valuemin': '0', 'aria-valuemax': String(limit), 'aria-valuenow': String(used) }, fill));
}

function untilMs(l) {
  if (l.until === 'reset') return Date.parse(state.status.daemon.nextReset);
  if (l.until === 'permanent') return NaN;
  return Date.parse(l.until);
}

function lockoutBox(l) {
  const until = untilMs(l);
  const cd = el('span', { class: 'countdown' });
  if (!isNaN(until)) cd.dataset.until = String(until);
  else cd.textContent = 'permanent (an admin clears it)';
  return el('div', { class: 'lockout' },
    el('div', {}, el('strong', {}, l.rule), ' ', l.symbol ? 'symbol ' + l.symbol + ' ' : '',
      '· ', l.until === 'reset' ? 'until the reset, in ' : (isNaN(until) ? '' : 'ends in '), cd),
    el('div', {}, l.reason));
}

function rulesTable(rules) {
  const body = el('tbody', {});
  for (const r of rules) {
    if (!r.enabled) continue;
    let cls = r.state === 'breached' ? 'bad' : 'ok', meas = '–';
    if (r.limit > 0) {
      cls = r.state === 'breached' ? 'bad' : shareClass(r.share);
      meas = (r.unit === 'loss' || r.unit === 'money' ? money(r.used) + ' / ' + money(r.limit)
        : r.used + ' / ' + r.limit) + ' (' + Math.round(r.share * 100) + '%)';
    }
    body.append(el('tr', {},
      el('td', {}, el('span', { class: 'c-' + cls }, '● '), r.name, r.label ? el('div', { class: 'muted' }, r.label) : null),
      el('td', { class: 'c-' + (r.state === 'ok' ? 'ok' : r.state === 'breached' ? 'bad' : 'warn') }, r.state),
      el('td', { class: 'num c-' + cls }, meas)));
  }
  return el('div', { class: 'scroll' }, el('table', { class: 'rules' },
    el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Rule'), el('th', { scope: 'col' }, 'State'),
      el('th', { scope: 'col' }, 'Measure'))), body));
}

// The day's chart: realized and total P&L, the loss limit and the floor, enforcement marks.
function chart(acct, lossLimit, floorRule) {
  const series = state.pnl && state.pnl.accounts.find((a) => a.accountId === acct.id);
  const pts = series ? series.points.slice() : [];
  const now = Date.now();
  const realized = acct.realizedPnl - acct.fees;
  pts.push([now, realized, realized + acct.unrealizedPnl]);
  const W = 600, H = 200, L = 56, R = 8, T = 10, B = 22;
  const dayStart = Date.parse(state.status.daemon.tradingDayStart);
  const t0 = Math.min(pts[0][0], isNaN(dayStart) ? pts[0][0] : dayStart), t1 = Math.max(now, t0 + 60000);
  let lo = 0, hi = 0;
  for (const p of pts) { lo = Math.min(lo, p[1], p[2]); hi = Math.max(hi, p[1], p[2]); }
  if (lossLimit) lo = Math.min(lo, -lossLimit * 1.05);
  let floorAt = null;
  if (floorRule && floorRule.floor !== undefined) {
    floorAt = floorRule.floor - acct.balance + realized; // the floor in the day's P&L terms
    lo = Math.min(lo, floorAt); hi = Math.max(hi, floorAt);
  }
  if (hi - lo < 1) hi = lo + 1;
  const pad = (hi - lo) * 0.06; lo -= pad; hi += pad;
  const x = (t) => L + (W - L - R) * (t - t0) / (t1 - t0);
  const y = (v) => T + (H - T - B) * (hi - v) / (hi - lo);
  const s = svg('svg', { class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img',
    'aria-label': `P&L today for ${acct.name}: realized ${money(realized)}` });
  for (const v of [lo + pad, 0, hi - pad]) {
    s.append(svg('line', { class: 'grid', x1: L, x2: W - R, y1: y(v), y2: y(v) }));
    const t = svg('text', { x: 2, y: y(v) + 4 }); t.textContent = money(v).replace('.00', ''); s.append(t);
  }
  const tl = svg('text', { x: L, y: H - 6 }); tl.textContent = new Date(t0).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }); s.append(tl);
  const tr = svg('text', { x: W - R - 40, y: H - 6 }); tr.textContent = 'now'; s.append(tr);
  if (lossLimit) s.append(svg('line', { class: 'limit', x1: L, x2: W - R, y1: y(-lossLimit), y2: y(-lossLimit) }));
  if (floorAt !== null) s.append(svg('line', { class: 'floor', x1: L, x2: W - R, y1: y(floorAt), y2: y(floorAt) }));
  const path = (k) => pts.map((p, i) => (i ? 'L' : 'M') + x(p[0]).toFixed(1) + ' ' + y(p[k]).toFixed(1)).join(' ');
  s.append(svg('path', { class: 'total', d: path(2) }));
  s.append(svg('path', { class: 'realized', d: path(1) }));
  for (const h of state.history) {
    if (h.accountId !== acct.id || !h.action || h.action === 'alert') continue;
    const t = Date.parse(h.ts);
    if (isNaN(t) || t < t0) continue;
    const m = svg('circle', { class: 'mark', cx: x(t).toFixed(1), cy: T + 4, r: 4 });
    const ti = svg('title', {}); ti.textContent = `${localTime(h.ts)} ${h.rule || ''} ${h.action}`;
    m.append(ti); s.append(m);
  }
  const legend = el('div', { class: 'legend' },
    el('span', {}, el('i', { class: 'l-r' }), 'realized'), el('span', {}, el('i', { class: 'l-t' }), 'total'),
    lossLimit ? el('span', {}, el('i', { class: 'l-l' }), 'loss limit') : null,
    floorAt !== null ? el('span', {}, el('i', { class: 'l-f' }), 'floor') : null,
    el('span', {}, el('i', { class: 'l-m' }), 'SRM enforced'));
  return el('div', {}, s, legend);
}

function card(a) {
  const locked = a.lockouts.length > 0;
  const rules = a.rules || [];
  const byName = (n) => rules.find((r) => r.name === n && r.enabled && r.limit > 0);
  const dl = byName('daily_realized_loss'), mc = byName('max_contracts'), ml = byName('max_loss_limit');
  const realized = a.realizedPnl - a.fees;
  const c = el('article', { class: 'card' + (locked ? ' locked' : ''), 'data-account': String(a.id),
    'aria-label': 'account ' + a.name });
  c.append(el('header', {}, el('h3', {}, a.name, el('span', { class: 'muted' }, ' #' + a.id)),
    el('span', { class: 'state ' + (locked ? 'bad' : 'ok') }, locked ? 'LOCKED OUT' : 'allowed')));
  for (const l of a.lockouts) c.append(lockoutBox(l));
  c.append(el('div', { class: 'muted' }, 'balance ' + money(a.balance) + ' · realized ' + money(realized) +
    ' · open ' + money(a.unrealizedPnl) + ' · trades ' + a.tradesToday));
  if (dl) c.append(meter('P&L vs daily loss limit', dl.used, dl.limit,
    money(-dl.used) + ' of -' + money(dl.limit).replace('$', '$')));
  if (ml) c.append(meter('Distance to the floor', ml.used, ml.limit,
    money(ml.distance !== undefined ? ml.distance : ml.limit - ml.used) + ' left (floor ' + money(ml.floor) + ')'));
  if (mc) c.append(meter('Contracts', mc.used, mc.limit, mc.used + ' of ' + mc.limit));
  c.append(chart(a, dl ? dl.limit : 0, ml));
  c.append(rulesTable(rules));
  return c;
}

function renderAccounts() {
  const box = document.getElementById('accounts');
  if (!state.status) return;
  const accts = state.status.accounts;
  box.replaceChildren(...(accts.length ? accts.map(card) : [el('p', { class: 'muted' }, 'No account is guarded.')]));
  tick();
}

function fillSelect(id, values, label) {
  const sel = document.getElementById(id), cur = sel.value;
  const opts = [el('option', { value: '' }, 'all')];
  for (const v of values) opts.push(el('option', { value: String(v) }, label(v)));
  sel.replaceChildren(...opts);
  sel.value = values.map(String).includes(cur) ? cur : '';
}

function renderHistory() {
  const fa = document.getElementById('f-account').value, fr = document.getElementById('f-rule').value;
  const accts = state.status ? state.status.accounts : [];
  const name = (id) => { const a = accts.find((x) => x.id === id); return a ? a.name : '#' + id; };
  fillSelect('f-account', [...new Set(state.history.map((h) => h.accountId))], name);
  fillSelect('f-rule', [...new Set(state.history.map((h) => h.rule).filter(Boolean))].sort(), (r) => r);
  document.getElementById('f-account').value = fa; document.getElementById('f-rule').value = fr;
  const rows = state.history.filter((h) => (!fa || String(h.accountId) === fa) && (!fr || h.rule === fr))
    .map((h) => el('tr', { 'data-id': String(h.id) }, el('td', {}, localTime(h.ts)), el('td', {}, name(h.accountId)),
      el('td', {}, h.rule || ''), el('td', {}, h.action || ''), el('td', {}, h.reason || ''),
      el('td', {}, h.outcome || '')));
  document.querySelector('#history tbody').replaceChildren(...rows);
}

function tick() {
  const now = Date.now();
  for (const e of document.querySelectorAll('.countdown[data-until]'))
    e.textContent = countdown(Number(e.dataset.until) - now);
}

async function refresh(all) {
  try {
    const jobs = [getJSON('/api/status'), getJSON('/api/pnl')];
    if (all) jobs.push(getJSON('/api/history?limit=200'));
    const [st, pnl, hist] = await Promise.all(jobs);
    state.status = st; state.pnl = pnl; if (hist) state.history = hist;
    state.fetchOk = true;
  } catch (e) {
    state.fetchOk = false; state.fetchError = e.message;
  }
  banner();
  renderAccounts();
  if (all) renderHistory();
}

let refreshTimer = null;
function refreshSoon() {
  if (refreshTimer) return;
  refreshTimer = setTimeout(() => { refreshTimer = null; refresh(true); }, 150);
}

function connect() {
  const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws', 'srm-events');
  state.ws = ws;
  ws.onopen = () => { state.streamOk = true; banner(); refreshSoon(); };
  ws.onmessage = (m) => {
    let ev;
    try { ev = JSON.parse(m.data); } catch (e) { return; }
    if (ev.event === 'hello') return;
    refreshSoon(); // resync, action, outcome, alert, guarding: read the state again
  };
  ws.onclose = () => {
    state.streamOk = false; state.ws = null; banner();
    setTimeout(connect, 2000);
  };
}

document.getElementById('f-account').addEventListener('change', renderHistory);
document.getElementById('f-rule').addEventListener('change', renderHistory);
setInterval(tick, 1000);
setInterval(() => refresh(false), 2000);
setInterval(() => refresh(true), 15000);
connect();
refresh(true);

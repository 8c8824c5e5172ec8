// interop.js: srm-sim against the official SignalR client (@microsoft/signalr), connected exactly as
// ProjectX's samples do (skipNegotiation, WebSockets, accessTokenFactory, access_token in the URL,
// withAutomaticReconnect). Usage: node interop.js PATH/TO/srm-sim. Exit 0 pass, 1 fail, 77 skip.
'use strict';

const { spawn } = require('node:child_process');
const readline = require('node:readline');

let signalR;
try {
  signalR = require('@microsoft/signalr');
} catch (e) {
  console.log('SKIP: @microsoft/signalr not installed (run npm ci in tests/interop)');
  process.exit(77);
}

const simPath = process.argv[2] || process.env.SRM_SIM;
if (!simPath) {
  console.error('usage: node interop.js PATH/TO/srm-sim');
  process.exit(2);
}

const ES = 'CON.F.US.EP.Z26';
let sim;
let base;

function fail(msg) {
  console.error('FAIL: ' + msg);
  if (sim) sim.kill('SIGTERM');
  process.exit(1);
}

function check(cond, msg) {
  if (!cond) fail(msg);
}

// Field names and types as the API reference documents them (§10.2).
const FIELDS = {
  GatewayUserAccount: { id: 'number', name: 'string', balance: 'number', canTrade: 'boolean',
    isVisible: 'boolean', simulated: 'boolean' },
  GatewayUserOrder: { id: 'number', accountId: 'number', contractId: 'string', symbolId: 'string',
    creationTimestamp: 'string', updateTimestamp: 'string?', status: 'number', type: 'number',
    side: 'number', size: 'number', limitPrice: 'number?', stopPrice: 'number?',
    fillVolume: 'number', filledPrice: 'number?', customTag: 'string?' },
  GatewayUserPosition: { id: 'number', accountId: 'number', contractId: 'string',
    creationTimestamp: 'string', type: 'number', size: 'number', averagePrice: 'number' },
  GatewayUserTrade: { id: 'number', accountId: 'number', contractId: 'string',
    creationTimestamp: 'string', price: 'number', profitAndLoss: 'number?', fees: 'number',
    side: 'number', size: 'number', voided: 'boolean', orderId: 'number' },
  GatewayQuote: { symbol: 'string', symbolName: 'string', lastPrice: 'number', bestBid: 'number',
    bestAsk: 'number', change: 'number', changePercent: 'number', open: 'number', high: 'number',
    low: 'number', volume: 'number', lastUpdated: 'string', timestamp: 'string' },
  GatewayTrade: { symbolId: 'string', price: 'number', timestamp: 'string', type: 'number',
    volume: 'number' },
  GatewayDepth: { timestamp: 'string', type: 'number', price: 'number', volume: 'number',
    currentVolume: 'number' },
};

function checkFields(event, obj) {
  check(obj !== null && typeof obj === 'object', `${event}: payload is not an object`);
  for (const [k, t] of Object.entries(FIELDS[event])) {
    const v = obj[k];
    if (t.endsWith('?')) {
      check(k in obj && (v === null || typeof v === t.slice(0, -1)),
        `${event}.${k}: expected ${t}, got ${JSON.stringify(v)}`);
    } else {
      check(typeof v === t, `${event}.${k}: expected ${t}, got ${JSON.stringify(v)}`);
    }
  }
}

async function startSim() {
  sim = spawn(simPath, ['--listen', '127.0.0.1:0', '--quote-interval-ms', '0', '--no-rate-limit',
    '--accounts', '2', '--quiet'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const rl = readline.createInterface({ input: sim.stdout });
  const lines = [];
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('srm-sim did not start')), 5000);
    rl.on('line', (l) => {
      lines.push(l);
      const accounts = lines.filter((x) => x.startsWith('account ')).map((x) => Number(x.split(' ')[1]));
      if (accounts.length === 2) {
        clearTimeout(t);
        const port = Number(lines[0].split(':').pop());
        resolve({ port, accounts });
      }
    });
  });
}

async function post(path, body, token) {
  const headers = { 'Content-Type': 'application/json', accept: 'text/plain' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const r = await fetch(base + path, { method: 'POST', headers, body: JSON.stringify(body) });
  check(r.status === 200, `${path}: HTTP ${r.status}`);
  return r.json();
}

// A queue of received events per name, with a waiter.
function recorder(conn, names) {
  const got = {};
  const waiters = [];
  for (const n of names) {
    got[n] = [];
    conn.on(n, (...args) => {
      got[n].push(args);
      for (const w of waiters.splice(0)) w();
    });
  }
  got.wait = (n, count, ms = 5000) => new Promise((resolve, reject) => {
    const t0 = Date.now();
    const tick = () => {
      if (got[n].length >= count) return resolve(got[n][count - 1]);
      if (Date.now() - t0 > ms) return reject(new Error(`timeout waiting for ${n} #${count}`));
      waiters.push(tick);
      setTimeout(tick, 50);
    };
    tick();
  });
  return got;
}

function waitFor(pred, ms, what) {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const tick = () => {
      if (pred()) return resolve();
      if (Date.now() - t0 > ms) return reject(new Error('timeout: ' + what));
      setTimeout(tick, 50);
    };
    tick();
  });
}

async function main() {
  const { port, accounts } = await startSim();
  base = `http://127.0.0.1:${port}`;
  const acc = accounts[0];
  const login = await post('/api/Auth/loginKey', { userName: 'demo', apiKey: 'demo' });
  check(login.success === true && typeof login.token === 'string', 'login failed');
  const JWT = login.token;

  // As in the ProjectX realtime samples.
  const build = (hub) => new signalR.HubConnectionBuilder()
    .withUrl(`${base}/hubs/${hub}?access_token=${JWT}`, {
      skipNegotiation: true,
      transport: signalR.HttpTransportType.WebSockets,
      accessTokenFactory: () => JWT,
      timeout: 10000,
    })
    .withAutomaticReconnect()
    .configureLogging(signalR.LogLevel.Critical)
    .build();
  const user = build('user');
  const market = build('market');
  const u = recorder(user, ['GatewayUserAccount', 'GatewayUserOrder', 'GatewayUserPosition',
    'GatewayUserTrade']);
  const m = recorder(market, ['GatewayQuote', 'GatewayTrade', 'GatewayDepth']);
  let reconnected = 0;
  const subUser = async () => {
    await user.invoke('SubscribeAccounts');
    await user.invoke('SubscribeOrders', acc);
    await user.invoke('SubscribePositions', acc);
    await user.invoke('SubscribeTrades', acc);
  };
  const subMarket = async () => {
    await market.invoke('SubscribeContractQuotes', ES);
    await market.invoke('SubscribeContractTrades', ES);
    await market.invoke('SubscribeContractMarketDepth', ES);
  };
  user.onreconnected(async () => { await subUser(); reconnected++; });
  market.onreconnected(async () => { await subMarket(); reconnected++; });

  await user.start();
  await market.start();
  await subUser();
  await subMarket();

  // The trader buys on their own platform; the market moves.
  await post('/sim/trader/order', { accountId: acc, contractId: ES, type: 2, side: 0, size: 1 });
  await post('/sim/quote', { contractId: ES, bid: 6810, ask: 6810.25 });
  for (const n of ['GatewayUserOrder', 'GatewayUserTrade', 'GatewayUserPosition', 'GatewayUserAccount']) {
    const args = await u.wait(n, 1);
    check(args.length === 1, `${n}: expected 1 argument, got ${args.length}`);
    checkFields(n, args[0]);
  }
  check(u.GatewayUserTrade[0][0].profitAndLoss === null, 'opening fill has profitAndLoss null');
  for (const n of ['GatewayQuote', 'GatewayTrade', 'GatewayDepth']) {
    const args = await m.wait(n, 1);
    check(args.length === 2 && args[0] === ES, `${n}: expected (contractId, data)`);
    const data = Array.isArray(args[1]) ? args[1][0] : args[1];
    checkFields(n, data);
  }

  // drop_hubs: both connections reconnect by themselves and resubscribe.
  await post('/sim/fault', { kind: 'drop_hubs' });
  await waitFor(() => reconnected >= 2, 15000, 'automatic reconnect of both hubs');
  await post('/sim/trader/order', { accountId: acc, contractId: ES, type: 2, side: 1, size: 1 });
  const closing = await u.wait('GatewayUserTrade', 2);
  check(closing[0].profitAndLoss === 487.5, `closing fill P&L: expected 487.5 (39 ticks x 12.50), got ${closing[0].profitAndLoss}`);
  const pos = await u.wait('GatewayUserPosition', 2);
  check(pos[0].size === 0, 'closed position announced with size 0');
  await post('/sim/quote', { contractId: ES, bid: 6811, ask: 6811.25 });
  await m.wait('GatewayQuote', 2);

  // Every invocation shows up in /sim/requests.
  const log = await (await fetch(`${base}/sim/requests?since=0`)).json();
  const targets = log.requests.filter((r) => r.kind === 'hub').map((r) => r.target);
  for (const t of ['SubscribeAccounts', 'SubscribeOrders', 'SubscribePositions', 'SubscribeTrades',
    'SubscribeContractQuotes', 'SubscribeContractTrades', 'SubscribeContractMarketDepth']) {
    check(targets.filter((x) => x === t).length === 2, `${t}: expected 2 invocations in /sim/requests`);
  }
  check(log.requests.some((r) => r.kind === 'hub' && r.target === 'SubscribeOrders' &&
    Array.isArray(r.arguments) && r.arguments[0] === acc), 'SubscribeOrders arguments logged');

  await user.stop();
  await market.stop();
  sim.kill('SIGTERM');
  const code = await new Promise((resolve) => sim.on('exit', (c) => resolve(c)));
  check(code === 0, `srm-sim exit code ${code}`);
  console.log('interop: OK');
}

const guard = setTimeout(() => fail('overall timeout (60 s)'), 60000);
main().then(() => { clearTimeout(guard); process.exit(0); }, (e) => fail(e.stack || String(e)));

// ingest.js: the official-client half of bench/ingest: the same srm-sim flood received by
// @microsoft/signalr (connected as ProjectX's samples do), counting the parsed events its
// handlers receive. Usage: NODE_PATH=tests/interop/node_modules node bench/ingest.js PORT
// ACCOUNT CONTRACT NQUOTES NORDERS [tls] (tls: https/wss; trust the CA with
// NODE_EXTRA_CA_CERTS). Prints one JSON line {client, quotes, orders, seconds, cpu_seconds}
// (cpu: this process, user + system, from the flood request to the last event).
'use strict';

const signalR = require('@microsoft/signalr');

const [port, account, contract, nq, no] = [Number(process.argv[2]), Number(process.argv[3]),
  process.argv[4], Number(process.argv[5]), Number(process.argv[6])];
if (!port || !account || !contract || !(nq >= 0) || !(no >= 0) || nq + no === 0) {
  console.error('usage: node ingest.js PORT ACCOUNT CONTRACT NQUOTES NORDERS');
  process.exit(2);
}
const base = `${process.argv[7] === 'tls' ? 'https' : 'http'}://127.0.0.1:${port}`;

async function post(path, body, token) {
  const headers = { 'Content-Type': 'application/json', accept: 'text/plain' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const r = await fetch(base + path, { method: 'POST', headers, body: JSON.stringify(body) });
  if (r.status !== 200) throw new Error(`${path}: HTTP ${r.status}`);
  return r.json();
}

async function main() {
  const login = await post('/api/Auth/loginKey', { userName: 'demo', apiKey: 'demo' });
  const JWT = login.token;
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
  let quotes = 0;
  let orders = 0;
  let bad = 0;
  let t0 = 0n;
  let done;
  const finished = new Promise((resolve) => { done = resolve; });
  const check = () => {
    if (quotes + orders === nq + no) done(process.hrtime.bigint());
  };
  // What a consumer does: handlers receiving the objects the client parsed.
  market.on('GatewayQuote', (contractId, q) => {
    if (contractId !== contract || typeof q !== 'object' || typeof q.bestBid !== 'number') bad++;
    quotes++;
    check();
  });
  user.on('GatewayUserOrder', (o) => {
    if (typeof o !== 'object' || o.accountId !== account || typeof o.status !== 'number') bad++;
    orders++;
    check();
  });
  await user.start();
  await market.start();
  await user.invoke('SubscribeOrders', account);
  await market.invoke('SubscribeContractQuotes', contract);

  t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const reqs = [];
  if (nq > 0) reqs.push(post('/sim/bench/flood', { contractId: contract, count: nq }));
  if (no > 0) reqs.push(post('/sim/bench/flood', { kind: 'order', accountId: account, count: no }));
  await Promise.all(reqs);
  const guard = setTimeout(() => {
    console.error(`ingest.js: timeout: ${quotes} quotes, ${orders} orders received`);
    process.exit(1);
  }, 120000);
  const t1 = await finished;
  const cpu = process.cpuUsage(c0);
  clearTimeout(guard);
  const seconds = Number(t1 - t0) / 1e9;
  await user.stop();
  await market.stop();
  if (bad > 0) {
    console.error(`ingest.js: ${bad} events with unexpected content`);
    process.exit(1);
  }
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  console.log(JSON.stringify({ client: '@microsoft/signalr', quotes, orders, seconds,
    cpu_seconds: cpuSeconds }));
}

main().catch((e) => { console.error(e.stack || String(e)); process.exit(1); });

#!/usr/bin/env python3
"""bench/reaction.py: the driver of bench/reaction.sh (srm-sim and srmd already running).

Four breach paths, each timed by srm-sim's own CLOCK_MONOTONIC from eventsSentNs of the
trader's action (its hub records written to srmd's user-hub socket) to tsNs of srmd's first
enforcement request for it (received on srmd's REST connection):
  fill_over_limit  A buys 5 at market with max_contracts 4 (reduce_to_limit): order, trade and
                   position events, the fill persisted, then Position/partialCloseContract
  daily_loss       B (long 2, a working order) sells 1 at a loss past daily_realized_loss:
                   cancel-all + close-all (the first of Order/cancel and Position/closeContract)
  blocked_symbol   C places a limit order in RTY (symbol_blocks): Order/cancel
  lockout_cancel   D is locked out by an admin; its new limit order: Order/cancel
The floor, in the same run and through the same two processes: POST /sim/bench/ping makes
srm-sim write a WebSocket ping on srmd's user-hub connection (the socket the breach events
come in on); libwebsockets in srmd answers with a pong. Ping write to pong arrival is the
loopback round trip with both processes' wake-ups and WebSocket framing, and no JSON, engine,
SQLite or HTTP. One floor sample is taken after each breach sample (4 per round).
Background load: POST /sim/bench/quote-load, quotes spread over 5 contracts that account E
holds (so srmd subscribes to them and judges every quote).
usage: reaction.py PORT SOCKET N LOADS SRMD_PID SIM_PID
"""
import http.client
import json
import os
import socket
import sys
import time

port, sock_path, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
loads = [int(x) for x in sys.argv[4].split(",") if x != ""]
srmd_pid, sim_pid = int(sys.argv[5]), int(sys.argv[6])
A, B, C, D, E = 10001, 10002, 10003, 10004, 10005
MNQ, MES, RTY, M2K = ("CON.F.US.MNQ.Z26", "CON.F.US.MES.Z26", "CON.F.US.RTY.Z26",
                      "CON.F.US.M2K.Z26")
LOAD = ["CON.F.US.EP.Z26", "CON.F.US.ENQ.Z26", "CON.F.US.YM.Z26", "CON.F.US.CLE.Z26",
        "CON.F.US.GCE.Z26"]
PATHS = ["fill_over_limit", "daily_loss", "blocked_symbol", "lockout_cancel"]
if os.environ.get("REACTION_PATHS"):  # profiling one path: REACTION_PATHS=daily_loss
    PATHS = [p for p in PATHS if p in os.environ["REACTION_PATHS"].split(",")]
FIRST_POLL = 0.005   # nothing polls srm-sim while srmd reacts
TIMEOUT = 3.0


class Sim:
    def __init__(self):
        self.c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        self.seq = 0          # last request-log entry read
        self.log = []         # entries read, in order

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        for attempt in range(2):
            try:
                self.c.request(method, path, body=data,
                               headers={"Content-Type": "application/json"})
                r = self.c.getresponse()
                text = r.read()
                break
            except (http.client.HTTPException, OSError):
                if attempt:
                    raise
                self.c.close()
                self.c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        out = json.loads(text) if text else {}
        if r.status != 200:
            raise RuntimeError(f"{method} {path}: HTTP {r.status} {out}")
        return out

    def post(self, path, body):
        return self.call("POST", path, body)

    def order(self, acc, cid, typ, side, size, limit=None):
        b = {"accountId": acc, "contractId": cid, "type": typ, "side": side, "size": size}
        if limit is not None:
            b["limitPrice"] = limit
        r = self.post("/sim/trader/order", b)
        if r.get("errorCode") != 0 or r.get("eventsSentNs") is None:
            raise RuntimeError(f"order refused or events not sent: {r}")
        return r

    def read_log(self):
        while True:
            r = self.call("GET", f"/sim/requests?since={self.seq}")
            self.log.extend(r["requests"])
            self.seq = r["lastSeq"]
            if not r.get("more"):
                return

    def wait(self, start, pred, count=1):
        """The first `count` REST requests at log index >= start that match pred."""
        time.sleep(FIRST_POLL)
        deadline = time.monotonic() + TIMEOUT
        while True:
            self.read_log()
            hits = [q for q in self.log[start:] if q.get("kind") == "rest" and pred(q)]
            if len(hits) >= count:
                return hits
            if time.monotonic() > deadline:
                return hits
            time.sleep(0.002)


def body(q):
    b = q.get("body")
    return b if isinstance(b, dict) else {}


class Ipc:
    def __init__(self):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.connect(sock_path)
        self.f = self.s.makefile("rwb")
        self.id = 0
        self.call("auth", {"password": "bench"})

    def call(self, cmd, args):
        self.id += 1
        self.f.write(json.dumps({"id": self.id, "cmd": cmd, "args": args}).encode() + b"\n")
        self.f.flush()
        r = json.loads(self.f.readline())
        if not r.get("ok"):
            raise RuntimeError(f"{cmd}: {r}")
        return r


def cpu_s(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


sim = Sim()
ipc = Ipc()
sim.read_log()
# E holds one lot of each background contract: srmd subscribes to their quotes and judges them
for cid in LOAD:
    sim.order(E, cid, 2, 0, 1)
time.sleep(1.0)
sim.read_log()
subs = {q["arguments"][0] for q in sim.log
        if q.get("kind") == "hub" and q.get("target") == "SubscribeContractQuotes"
        and isinstance(q.get("arguments"), list) and q["arguments"]}
missing_subs = [c for c in LOAD if c not in subs]
if missing_subs:
    print(f"reaction: srmd did not subscribe to {missing_subs}", file=sys.stderr)
    sys.exit(1)


def s_fill_over_limit():
    start = len(sim.log)
    sent = sim.order(A, MNQ, 2, 0, 5)["eventsSentNs"]
    hits = sim.wait(start, lambda q: q["path"] == "/api/Position/partialCloseContract"
                    and body(q).get("accountId") == A)
    time.sleep(0.002)
    sim.post("/sim/trader/close", {"accountId": A, "contractId": MNQ})
    return sent, hits


def s_daily_loss():
    sim.post("/sim/quote", {"contractId": MES, "bid": 6800, "ask": 6800.25})
    sim.order(B, MES, 2, 0, 2)
    oid = sim.order(B, MES, 1, 0, 1, limit=6700)["orderId"]
    time.sleep(0.002)
    sim.post("/sim/quote", {"contractId": MES, "bid": 6797.5, "ask": 6797.75})
    time.sleep(0.002)
    sim.read_log()
    start = len(sim.log)
    sent = sim.order(B, MES, 2, 1, 1)["eventsSentNs"]  # -13.75 against a limit of 10
    hits = sim.wait(start, lambda q: (q["path"] == "/api/Order/cancel"
                                      and body(q).get("orderId") == oid)
                    or (q["path"] == "/api/Position/closeContract"
                        and body(q).get("accountId") == B), count=2)
    time.sleep(0.005)
    ipc.call("admin.reset", {"account": B})
    return sent, hits


def s_cancel(acc, cid):
    start = len(sim.log)
    r = sim.order(acc, cid, 1, 0, 1, limit=2400)
    oid = r["orderId"]
    hits = sim.wait(start, lambda q: q["path"] == "/api/Order/cancel"
                    and body(q).get("orderId") == oid)
    return r["eventsSentNs"], hits


SAMPLE = {
    "fill_over_limit": s_fill_over_limit,
    "daily_loss": s_daily_loss,
    "blocked_symbol": lambda: s_cancel(C, RTY),
    "lockout_cancel": lambda: s_cancel(D, M2K),
}


def pct(v, q):
    return v[min(len(v) - 1, int(q * len(v)))]


results = []   # (load, path, n, missing, p50, p99, max)
cpu = []       # (load, quotes, cpu seconds, seconds)
for load in loads:
    sim.post("/sim/bench/quote-load", {"rate": load, "contracts": LOAD})
    time.sleep(1.0)
    q0 = sim.post("/sim/bench/quote-load", {"rate": load, "contracts": LOAD})["quotesSent"]
    c0, t0 = cpu_s(srmd_pid), time.monotonic()
    sim.read_log()
    ping0 = sim.call("GET", "/sim/bench/pings")["pings"]
    ping_lo = ping0[-1]["seq"] if ping0 else 0
    lat = {p: [] for p in PATHS}
    miss = {p: 0 for p in PATHS}
    for i in range(n):
        for p in PATHS:
            sent, hits = SAMPLE[p]()
            if hits:
                lat[p].append((min(h["tsNs"] for h in hits) - sent) / 1000.0)
            else:
                miss[p] += 1
            time.sleep(0.003)  # let srmd finish with the answers: the floor is a quiet srmd
            sim.post("/sim/bench/ping", {"accountId": A})
            time.sleep(0.004)
    c1, t1 = cpu_s(srmd_pid), time.monotonic()
    # keep the load on while its last figures are read: the rate changes only below
    q1 = sim.post("/sim/bench/quote-load", {"rate": load, "contracts": LOAD})["quotesSent"]
    pings = [pg for pg in sim.call("GET", "/sim/bench/pings")["pings"] if pg["seq"] > ping_lo]
    floor = sorted((pg["pongNs"] - pg["sentNs"]) / 1000.0 for pg in pings
                   if pg["pongNs"] is not None)
    lost = sum(1 for pg in pings if pg["pongNs"] is None)
    if not floor:
        print("reaction: no pong came back (the floor cannot be measured)", file=sys.stderr)
        sys.exit(1)
    results.append((load, "floor", len(floor), lost, pct(floor, .5), pct(floor, .99), floor[-1]))
    for p in PATHS:
        v = sorted(lat[p])
        if v:
            results.append((load, p, len(v), miss[p], pct(v, .5), pct(v, .99), v[-1]))
        else:
            results.append((load, p, 0, miss[p], 0, 0, 0))
    cpu.append((load, q1 - q0, c1 - c0, t1 - t0))
sim.post("/sim/bench/quote-load", {"rate": 0})

print(f"reaction: breach event written -> enforcement request received, srm-sim's clock; "
      f"{n} samples per path and load; floor: WebSocket ping -> pong on srmd's user hub")
print(f"{'load q/s':>8}  {'path':<16} {'n':>5} {'miss':>4} {'p50 us':>8} {'p99 us':>8} "
      f"{'max us':>8} {'p50/floor':>9} {'p99/floor':>9}")
floors = {r[0]: r for r in results if r[1] == "floor"}
for load, p, cnt, m, p50, p99, mx in results:
    f = floors[load]
    x50 = p50 / f[4] if f[4] > 0 else 0
    x99 = p99 / f[5] if f[5] > 0 else 0
    print(f"{load:>8}  {p:<16} {cnt:>5} {m:>4} {p50:>8.0f} {p99:>8.0f} {mx:>8.0f} "
          f"{x50:>8.1f}x {x99:>8.1f}x")
idle = 0.0  # srmd's CPU rate without background quotes (when load 0 was measured)
for load, quotes, cs, secs in cpu:
    rate = cs / secs
    if load == 0:
        idle = rate
    per_q = (cs - idle * secs) / quotes * 1e6 if quotes else 0
    print(f"srmd CPU at {load} quotes/s: {100 * rate:.1f}% of a core over {secs:.1f} s, "
          f"{quotes} quotes" + (f", ~{per_q:.1f} us per quote above idle" if quotes else ""))
    print(f"BENCH reaction cpu load={load} srmd_cpu_pct={100 * rate:.1f}"
          + (f" us_per_quote={per_q:.1f}" if quotes else ""))
for load, p, cnt, m, p50, p99, mx in results:
    f = floors[load]
    print(f"BENCH reaction path={p} load={load} n={cnt} missing={m} p50_us={p50:.0f} "
          f"p99_us={p99:.0f} max_us={mx:.0f} p50_x_floor={p50 / f[4]:.1f} "
          f"p99_x_floor={p99 / f[5]:.1f}")
if any(r[3] for r in results if r[1] != "floor"):
    print("reaction: some breaches got no request within 3 s (see miss)", file=sys.stderr)
    sys.exit(1)

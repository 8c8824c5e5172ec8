#!/usr/bin/env python3
"""
chaos.py: the chaos day (issue 9). A seeded, scripted trading day on the real srm-sim with the
real srmd guarding it and the real srm CLI, under random faults: hub drops and stalls, 429/5xx
bursts, latency spikes, token rejection, kill -9 + restart, SIGSTOP/SIGCONT, SIGHUP reloads (good
and broken), a second srmd on the same state directory, and hostile CLI clients (wrong passwords
with hang-ups during the refusal delay, half requests held open). Afterwards the invariants are
checked from the simulator's ground truth (GET /sim/state, GET /sim/requests) and the SQLite
state file, read-only. See tests/chaos/README.md for the invariants, bounds and exclusions.

Python 3.11 standard library only.

usage: chaos.py --srmd SRMD --srm SRM --sim SRM-SIM [--short | --long] [--seed N | --seeds "1 2 3"]
                [--duration S] [--accounts N] [--no-rate-limit] [--verbose]
env:   CHAOS_SEED, CHAOS_SEEDS, CHAOS_DURATION, KEEP=1 (keep the work dir) / KEEP=0 (never keep)
The last line is always `chaos: N passed, N failed` (checks); exit status 0 only if none failed.
"""
import argparse
import atexit
import calendar
import fnmatch
import functools
import heapq
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone

# ---------------------------------------------------------------------------------------------
# Bounds and grace periods (seconds). Stated here once; README.md explains each.
# ---------------------------------------------------------------------------------------------
BOUND_S = 5.0             # a breach may last this long in "clean" time (gateway up, srmd running)
GRACE_HTTP_S = 2.0        # after a 429/5xx burst is cleared
GRACE_LATENCY_S = 1.0     # after a latency fault is cleared (plus its ms: answers still in transit)
GRACE_DROP_S = 3.0        # after a hub drop (reconnect backoff + reconcile)
GRACE_STALL_S = 1.5       # after a hub stall ends (queued events delivered)
GRACE_AUTH_S = 8.0        # after reject_auth is cleared (login backoff 1, 2, 4 s for <= 3 rejections)
GRACE_STOP_S = 1.5        # after SIGCONT
STARTUP_GRACE_S = 3.0     # after srmd is (re)started: login + reconcile
DUP_WINDOW_S = 1.0        # two identical accepted enforcement requests closer than this: duplicate
SECOND_EXIT_S = 3.0       # a second srmd on the same state dir must exit non-zero within this
SECOND_OVERLAP_S = 4.0    # ...if it does not, it is left running this long (its damage is evidence)
CLI_BOUND_S = 10.0        # `srm status` must answer within this while hostile clients hold the socket
RULE008_GRACE_S = 20.0    # no_stop_loss_grace.grace in the config below
OPEN_SEEN_S = 1.0         # a position opened this close before a fault may not have been seen
SETTLE_S = BOUND_S + 2.0  # quiet tail after the day: no trader, no faults, still observed
MIN_GAP_S = BOUND_S + 1.0 # clean time between two fault windows (grace included), at least
SAMPLE_S = 0.3            # ground-truth sampling period (a cross-check of the reconstruction)
JOURNAL_SKEW_S = 0.05     # journal row written before the request: allowed clock-mapping error
JOURNAL_MAX_AGE_S = 120.0 # a journal row covers requests (retries) at most this long after it

ADMIN_PASSWORD = "chaos-horse-battery"

CONTRACTS = {
    # symbol: id, tick size, tick value, start price, shock size in ticks
    "MNQ": {"id": "CON.F.US.MNQ.Z26", "tick": 0.25, "value": 0.50, "start": 21000.0, "shock": (120, 260)},
    "ES": {"id": "CON.F.US.EP.Z26", "tick": 0.25, "value": 12.50, "start": 6000.0, "shock": (22, 40)},
    "MES": {"id": "CON.F.US.MES.Z26", "tick": 0.25, "value": 1.25, "start": 6000.0, "shock": (60, 120)},
    "CL": {"id": "CON.F.US.CLE.Z26", "tick": 0.01, "value": 10.00, "start": 62.0, "shock": (25, 45)},
    "RTY": {"id": "CON.F.US.RTY.Z26", "tick": 0.10, "value": 5.00, "start": 2400.0, "shock": (10, 30)},
}
SYM_OF = {c["id"]: s for s, c in CONTRACTS.items()}

# The rules (one source for the YAML and for the ground-truth checks).
RULES = {
    "max_contracts": {"limit": 4},
    "per_instrument": {"limits": {"MNQ": 4, "ES": 1}, "default": 2},
    "daily_loss": 500.0,
    "unrealized_loss": 300.0,
    "blocked": ["RTY"],
}
OVERRIDES = {1: {"max_contracts": 6, "daily_loss": 1500.0}}  # by account index (0-based)

ENF_PATHS = {
    "/api/position/closecontract": "close",
    "/api/position/partialclosecontract": "partial",
    "/api/order/cancel": "cancel",
    "/api/order/place": "place",
    "/api/order/modify": "modify",
}
FLATTENING_RULES = {"RULE-003", "RULE-010", "ENGINE"}
RULE_INDEX = {f"RULE-{i:03d}": i - 1 for i in range(1, 16)}
RULE_INDEX["ENGINE"] = -1


def iso_ms(s):
    """'2026-12-02T01:13:37.322Z' -> epoch milliseconds."""
    if not s:
        return None
    s = s.strip()
    if s.endswith("Z"):
        s = s[:-1]
    for sep in ("+", "-"):
        i = s.find(sep, 19)
        if i > 0:
            s = s[:i]
    frac = "000"
    if "." in s:
        s, frac = s.split(".", 1)
        frac = (frac + "000")[:3]
    dt = datetime.strptime(s, "%Y-%m-%dT%H:%M:%S")
    return calendar.timegm(dt.timetuple()) * 1000 + int(frac)


def cents(x):
    return 0 if x is None else int(round(x * 100))


def sign(x):
    return (x > 0) - (x < 0)


class Failure:
    def __init__(self, check, t, msg, evidence=None):
        self.check, self.t, self.msg, self._ev = check, t, msg, evidence

    @property
    def evidence(self):
        """A list of lines; given as a list or as a callable (computed only when printed)."""
        if callable(self._ev):
            self._ev = self._ev()
        return self._ev or []


class Proc:
    """One srmd process we started."""

    def __init__(self, n, role, popen, logpath, start_t):
        self.n, self.role, self.popen, self.logpath = n, role, popen, logpath
        self.start_t, self.end_t, self.rc = start_t, None, None
        self.ended_by = None      # 'kill9' | 'term' | 'self'
        self.death_handled = False

    @property
    def alive(self):
        return self.end_t is None and self.popen.poll() is None


class Run:
    def __init__(self, opts, seed, duration, mode):
        self.o, self.seed, self.D, self.mode = opts, seed, duration, mode
        self.rng = random.Random(seed)
        self.work = tempfile.mkdtemp(prefix=f"srm-chaos.{seed}.", dir="/tmp")
        self.cfg_path = os.path.join(self.work, "srm.yaml")
        self.sock = os.path.join(self.work, "srm.sock")
        self.db = os.path.join(self.work, "state", "srm.db")
        self.lock = threading.RLock()
        self.stop = threading.Event()
        self.t0 = time.monotonic()
        self.wall_off = self._wall_offset()
        self.sim = None
        self.port = None
        self.accounts = []
        self.procs = []
        self.primary = None
        self.excl = []              # [start, end, kind, detail]; end None while open
        self.timeline = []          # (t, text)
        self.trader_orders = {}     # order id -> (acct, contract, t_send, t_recv)
        self.trader_closes = []     # (acct, contract, t_send, t_recv, errorCode)
        self.quote_posts = []       # (t_send, contract id, bid, ask, last)
        self.cantrade = []          # (t_send, acct, value, ok)
        self.admin_calls = []       # dict
        self.samples = []           # (t_a, t_b, {(acct, cid): signed size})
        self.latest = None          # the latest /sim/state positions {(acct,cid): size}
        self.requests = []
        self.req_seq = 0
        self.polls = []             # (t_send, t_recv, phase or None)
        self.cli_checks = []        # dict
        self.seconds = []           # dict per second-instance attempt
        self.pf_until = 0.0         # partial_fills armed (trader closes avoided) until
        self.quotes_now = {}        # cid -> (bid, ask) as last posted
        self.failures = []
        self.info = []
        self.threads = []
        self.http_errors = 0
        self.armed = []             # [t_arm, t_clear, status, path glob] of http faults

    # ---- time ----
    @staticmethod
    def _wall_offset():
        best = None
        for _ in range(5):
            a = time.monotonic()
            w = time.time()
            b = time.monotonic()
            if best is None or b - a < best[0]:
                best = (b - a, w - (a + b) / 2)
        return best[1]

    def now(self):
        return time.monotonic()

    def rel(self, t):
        return "+%.3fs" % (t - self.t0) if t is not None else "?"

    def wall_iso(self, t):
        w = t + self.wall_off
        return datetime.fromtimestamp(w, timezone.utc).strftime("%H:%M:%S.%f")[:-3] + "Z"

    def ms_to_mono(self, ms):
        return ms / 1000.0 - self.wall_off

    def note(self, text, t=None):
        t = self.now() if t is None else t
        self.timeline.append((t, text))
        if self.o.verbose:
            print("  %s %s" % (self.rel(t), text), flush=True)

    def excl_open(self, kind, detail=""):
        with self.lock:
            e = [self.now(), None, kind, detail]
            self.excl.append(e)
            return e

    def excl_close(self, e, grace):
        with self.lock:
            e[1] = self.now() + grace

    # ---- simulator ----
    def start_sim(self):
        out = open(os.path.join(self.work, "sim.out"), "w")
        err = open(os.path.join(self.work, "sim.err"), "w")
        args = [self.o.sim, "--listen", "127.0.0.1:0", "--accounts", str(self.o.accounts),
                "--seed", str(self.seed), "--quote-interval-ms", "0", "--quiet"]
        if self.o.no_rate_limit:
            args.append("--no-rate-limit")
        self.sim = subprocess.Popen(args, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with open(os.path.join(self.work, "sim.out")) as f:
                lines = f.read().splitlines()
            if lines and lines[0].startswith("listening on") and \
                    len([x for x in lines if x.startswith("account ")]) >= self.o.accounts:
                self.port = int(lines[0].rsplit(":", 1)[1])
                self.accounts = [int(x.split()[1]) for x in lines if x.startswith("account ")]
                return
            if self.sim.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError("srm-sim did not start: " + open(os.path.join(self.work, "sim.err")).read()[-2000:])

    def http(self, method, path, body=None, timeout=8.0):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request("http://127.0.0.1:%d%s" % (self.port, path), data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                raw = r.read()
                return r.status, (json.loads(raw) if raw else None)
        except urllib.error.HTTPError as e:
            try:
                return e.code, json.loads(e.read() or b"null")
            except Exception:
                return e.code, None
        except Exception as e:  # timeout, refused
            self.http_errors += 1
            return None, str(e)

    def fault(self, f):
        t = self.now()
        st, _ = self.http("POST", "/sim/fault", f, timeout=3)
        self.note("fault %s -> %s" % (json.dumps(f, separators=(",", ":")), st))
        if f.get("kind") == "http":
            self.armed.append([t, None, f.get("status"), (f.get("path") or "*").lower()])
        return st

    def clear_faults(self):
        st, _ = self.http("DELETE", "/sim/fault", timeout=3)
        t = self.now()
        for a in self.armed:
            if a[1] is None:
                a[1] = t
        self.note("faults cleared -> %s" % st)

    # ---- srmd ----
    def write_config(self, broken=False):
        now_ct = None
        try:
            from zoneinfo import ZoneInfo
            now_ct = datetime.now(ZoneInfo("America/Chicago"))
        except Exception:
            now_ct = datetime.now(timezone.utc) - timedelta(hours=6)
        # the last reset one hour ago: no reset during the run; every fill of the run is "today"
        reset = (now_ct - timedelta(hours=1)).strftime("%H:%M")
        mc = RULES["max_contracts"]["limit"]
        lim = RULES["per_instrument"]
        ov = []
        for idx, o in OVERRIDES.items():
            if idx < len(self.accounts):
                ov.append('  "%d": {rules: {max_contracts: {limit: %d}, daily_realized_loss: {loss_limit: %d}}}'
                          % (self.accounts[idx], o["max_contracts"], o["daily_loss"]))
        ov = (["overrides:"] + ov) if ov else []
        text = f"""# chaos day (seed {self.seed})
gateway:
  api_url: http://127.0.0.1:{self.port}
  user_hub_url: http://127.0.0.1:{self.port}/hubs/user
  market_hub_url: http://127.0.0.1:{self.port}/hubs/market
  username: demo
  api_key: demo
accounts: all
daemon:
  state_dir: {self.work}/state
  socket: {self.sock}
  log_level: info
  timezone: America/Chicago
  reset_time: "{reset}"
admin:
  password_hash: "{self.hash}"
rules:
  max_contracts: {{enabled: true, limit: {mc}, count: net, action: reduce_to_limit, lockout: none}}
  max_contracts_per_instrument:
    {{enabled: true, limits: {{MNQ: {lim['limits']['MNQ']}, ES: {lim['limits']['ES']}}}, default_limit: {lim['default']},
     unknown_symbol: block, action: reduce_to_limit, lockout: none}}
  daily_realized_loss: {{enabled: true, loss_limit: {int(RULES['daily_loss'])}, include_unrealized: false, include_fees: false, lockout: until_reset}}
  daily_unrealized_loss: {{enabled: true, loss_limit: {int(RULES['unrealized_loss'])}, scope: position, lockout: none}}
  trade_frequency_limit:
    {{enabled: true, per_minute: 10, per_hour: 150, per_session: 500,
     cooldown: {{per_minute: 20s, per_hour: 2m, per_session: until_reset}}}}
  cooldown_after_loss:
    {{enabled: true, tiers: [{{loss: 150, cooldown: 10s}}, {{loss: 400, cooldown: 30s}}],
     consecutive_losses: {{count: 4, cooldown: 20s}}}}
  no_stop_loss_grace: {{enabled: true, grace: {int(RULE008_GRACE_S)}s, action: close_position}}
  auth_loss_guard: {{enabled: true, flatten: true, auto_clear: true}}
  symbol_blocks: {{enabled: true, symbols: [{", ".join(RULES['blocked'])}], close_existing: true}}
""" + "".join(x + "\n" for x in ov)
        if broken:
            text += "bogus_top_level_key: 1\n"
        tmp = self.cfg_path + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, self.cfg_path)

    def make_hash(self):
        env = dict(os.environ, SRM_ADMIN_PASSWORD=ADMIN_PASSWORD)
        r = subprocess.run([self.o.srm, "admin", "passwd"], env=env, capture_output=True, text=True, timeout=30)
        self.hash = r.stdout.strip()
        if r.returncode != 0 or not self.hash:
            raise RuntimeError("srm admin passwd failed: " + r.stderr)

    def spawn_srmd(self, role, extra=()):
        with self.lock:
            n = len(self.procs) + 1
            logpath = os.path.join(self.work, "srmd-%d.log" % n)
            logf = open(logpath, "ab")
            p = subprocess.Popen([self.o.srmd, "--config", self.cfg_path] + list(extra),
                                 stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            logf.close()
            pr = Proc(n, role, p, logpath, self.now())
            self.procs.append(pr)
            if role == "primary":
                self.primary = pr
            self.note("srmd #%d started (%s, pid %d)" % (n, role, p.pid))
            return pr

    def signal(self, pr, sig, ended_by=None):
        with self.lock:
            if pr is None or not pr.alive:
                return False
            if ended_by:
                pr.ended_by = ended_by
            try:
                os.kill(pr.popen.pid, sig)
            except ProcessLookupError:
                return False
            return True

    def wait_exit(self, pr, timeout):
        try:
            pr.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return False
        self.reap(pr)
        return True

    def reap(self, pr):
        with self.lock:
            if pr.end_t is None and pr.popen.poll() is not None:
                pr.end_t = self.now()
                pr.rc = pr.popen.returncode
                if pr.ended_by is None:
                    pr.ended_by = "self"
                    if pr.role == "primary":
                        self.note("srmd #%d DIED by itself: %s" % (pr.n, rc_text(pr.rc)))
                        pr.death_excl = self.excl_open("death", "srmd #%d died" % pr.n)
                        pr.death_excl[0] = pr.end_t - 0.1

    def handle_death(self):
        """Called by the chaos/main threads: restart a primary that died by itself."""
        with self.lock:
            pr = self.primary
            if pr is None:
                return
            self.reap(pr)
            if pr.ended_by != "self" or pr.death_handled:
                return
            pr.death_handled = True
        time.sleep(1.0)
        self.write_config()
        self.spawn_srmd("primary")
        self.excl_close(pr.death_excl, STARTUP_GRACE_S)

    # ---- IPC ----
    def ipc(self, req, timeout=2.0, path=None):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        try:
            s.connect(path or self.sock)
            s.sendall((json.dumps(req) + "\n").encode())
            buf = b""
            deadline = time.monotonic() + timeout
            while b"\n" not in buf and time.monotonic() < deadline:
                chunk = s.recv(1 << 20)
                if not chunk:
                    break
                buf += chunk
            return json.loads(buf.split(b"\n", 1)[0])
        finally:
            s.close()

    def phase(self, timeout=2.0):
        try:
            r = self.ipc({"id": 1, "cmd": "status"}, timeout)
            return r["data"]["daemon"]["phase"] if r.get("ok") else None
        except Exception:
            return None

    def cli(self, args, timeout):
        env = dict(os.environ, SRM_ADMIN_PASSWORD=ADMIN_PASSWORD)
        t = self.now()
        try:
            r = subprocess.run([self.o.srm] + args + ["--socket", self.sock], env=env, capture_output=True,
                               text=True, timeout=timeout, stdin=subprocess.DEVNULL)
            return r.returncode, r.stdout, r.stderr, self.now() - t
        except subprocess.TimeoutExpired:
            return None, "", "timed out after %.1fs" % timeout, self.now() - t

    def kill_all(self):
        for pr in list(self.procs):
            if pr.alive:
                try:
                    os.kill(pr.popen.pid, signal.SIGCONT)
                    os.kill(pr.popen.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                if pr.ended_by is None:
                    pr.ended_by = "kill9"
                try:
                    pr.popen.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    pass
        if self.sim is not None and self.sim.poll() is None:
            self.sim.kill()
            try:
                self.sim.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass


def rc_text(rc):
    if rc is None:
        return "still running"
    if rc < 0:
        try:
            return "killed by %s" % signal.Signals(-rc).name
        except ValueError:
            return "killed by signal %d" % -rc
    return "exit status %d" % rc


# =============================================================================================
# The schedule (all from the seed)
# =============================================================================================

def make_quotes(rng, D, step=0.4, forced=()):
    """Per contract: a list of (t, bid, ask, last), a random walk with occasional shocks;
    forced: (t, symbol, ticks) shocks that the script relies on."""
    out = {}
    n = int(D / step) + 1
    for sym, c in CONTRACTS.items():
        tick = c["tick"]
        px = 0          # ticks from start
        shock = 0.0
        seq = []
        force = {int(ft / step): ticks for ft, fs, ticks in forced if fs == sym}
        for k in range(n):
            px += rng.choice((-2, -1, -1, 0, 0, 0, 1, 1, 2))
            if rng.random() < step / 15.0:       # a shock about every 15 s per contract
                lo, hi = c["shock"]
                shock += rng.choice((-1, 1)) * rng.randint(lo, hi)
            if k in force:
                px += force[k]                   # a lasting move, not a spike
            shock *= 0.93
            total = px + int(shock)
            bid = round(c["start"] + total * tick, 6)
            ask = round(bid + tick, 6)
            last = bid if rng.random() < 0.5 else ask
            seq.append((k * step, bid, ask, last))
        out[c["id"]] = seq
    return out


def make_trader(rng, idx, D, tail, revenge_at=None):
    """One account's actions: (t, kind, params), sorted. revenge_at: the time of the scripted
    losing trade (2 CL bought just before a forced drop) that takes the day past its loss limit."""
    pers = ("oversizer", "scalper", "revenge")[idx % 3]
    syms = {"oversizer": ["MNQ", "MNQ", "ES", "MES", "CL", "RTY"],
            "scalper": ["MES", "MNQ", "CL", "ES"],
            "revenge": ["ES", "ES", "CL", "MNQ", "MES", "RTY"]}[pers]
    weights = {"oversizer": {"mkt": 3, "oversize": 3, "exit": 2, "tclose": 1, "far": 2, "near": 1, "burst": 1, "rty": 1},
               "scalper": {"mkt": 3, "oversize": 1, "exit": 2, "tclose": 1, "far": 1, "near": 2, "burst": 3, "rty": 0},
               "revenge": {"mkt": 4, "oversize": 1, "exit": 1, "tclose": 1, "far": 2, "near": 1, "burst": 1, "rty": 1}}[pers]
    kinds = [k for k, w in weights.items() for _ in range(w)]
    acts = []
    ref = 0
    t = 1.0 + idx * 0.3
    if idx == 0:
        # warm-up: every contract once, so srmd has looked them all up before the faults start
        for s in ("MNQ", "ES", "MES", "CL", "RTY"):
            acts.append((t, "mkt", {"sym": s, "side": 0, "size": 1}))
            t += 0.15
            if s != "RTY":
                acts.append((t, "mkt", {"sym": s, "side": 1, "size": 1}))
                t += 0.15
    while t < D - tail:
        k = rng.choice(kinds)
        s = rng.choice(syms)
        side = rng.randint(0, 1)
        if k == "mkt":
            acts.append((t, "mkt", {"sym": s, "side": side, "size": rng.choice((1, 1, 1, 2, 2, 3))}))
        elif k == "oversize":
            s = rng.choice(("MNQ", "MNQ", "ES", "MES", "CL"))
            size = {"MNQ": rng.randint(5, 8), "ES": rng.randint(2, 3), "MES": rng.randint(3, 5), "CL": rng.randint(3, 4)}[s]
            acts.append((t, "mkt", {"sym": s, "side": side, "size": size}))
        elif k == "exit":
            acts.append((t, "exit", {"sym": s}))
        elif k == "tclose":
            acts.append((t, "tclose", {"sym": s}))
        elif k == "far":
            ref += 1
            size = rng.choice((1, 2, 3, 5, 7)) if s != "ES" else rng.choice((1, 2))
            acts.append((t, "limit", {"sym": s, "side": side, "size": size, "ticks": rng.randint(40, 90), "ref": ref}))
            if rng.random() < 0.6:
                acts.append((t + rng.uniform(3, 15), "cancel", {"ref": ref}))
        elif k == "near":
            ref += 1
            acts.append((t, "limit", {"sym": s, "side": side, "size": rng.choice((1, 2, 3)), "ticks": rng.randint(1, 4), "ref": ref}))
        elif k == "burst":
            n = rng.randint(4, 7)
            for i in range(n):
                acts.append((t + i * rng.uniform(0.15, 0.45), "mkt", {"sym": s, "side": i % 2, "size": 1}))
            t += n * 0.3
        elif k == "rty":
            if rng.random() < 0.5:
                acts.append((t, "mkt", {"sym": "RTY", "side": side, "size": rng.randint(1, 3)}))
            else:
                ref += 1
                acts.append((t, "limit", {"sym": "RTY", "side": side, "size": rng.randint(1, 2), "ticks": rng.randint(2, 30), "ref": ref}))
        t += rng.uniform(2.5, 6.0) if pers != "revenge" else rng.uniform(3.5, 7.0)
    if revenge_at is not None:
        acts = [a for a in acts if not (revenge_at - 2.0 <= a[0] <= revenge_at + 3.0)]
        acts.append((revenge_at, "mkt", {"sym": "CL", "side": 0, "size": 2}))
    acts.sort(key=lambda a: a[0])
    return acts


def make_world(rng, naccts, D, short, chaos, attacks):
    """canTrade toggles and admin lockouts: (t, kind, params). The first admin lockout comes
    before any hostile client (whose wrong passwords may rightly get the uid rate-limited) and
    where srmd is not stopped or restarted, so that the CLI can set it."""
    busy = [(ct - 1.0, ct + p["dur"] + p["grace"] + 1.0) for ct, k, p in chaos if k in ("kill9", "sigstop", "second")]
    busy += [(at - 0.5, at + p.get("hold", 2.0) + 1.0) for at, k, p in attacks]
    first_attack = min([at for at, k, p in attacks] or [D])

    def free(t, dur):
        moved = True
        while moved:
            moved = False
            for a, b in busy:
                if t < b and t + dur > a:
                    t, moved = b, True
        return t
    out = []
    n = 1 if short else max(1, int(D / 70))
    for i in range(n):
        out.append((rng.uniform(15, D - 25), "cantrade", {"acct": rng.randrange(naccts), "dur": rng.uniform(4, 8)}))
        t = free(rng.uniform(6, max(6.5, first_attack - 3)) if i == 0 else rng.uniform(15, D - 25), 3.0)
        if t < D - 20:
            out.append((t, "admin_lockout", {"acct": rng.randrange(naccts), "dur": rng.randint(8, 15), "n": i + 1}))
    out.sort(key=lambda a: a[0])
    return out


EXCL_KINDS = ["http_all", "http_close", "http_misc", "latency", "drop_hubs", "stall_hubs", "stall_latency",
              "reject_auth", "kill9", "sigstop"]
SHORT_KINDS = ["http_all", "kill9", "http_close", "stall_latency", "reject_auth", "sigstop"]
OTHER_KINDS = ["partial_fills", "sighup", "bad_reload", "second"]


def make_chaos(rng, D, short, tail):
    """The fault schedule: (t, kind, params). Fault windows (with their grace) are separated by
    clean gaps of at least MIN_GAP_S, so that a breach outlasting the bound can show; the other
    attacks (reloads, a second srmd, partial fills) run inside the gaps. The short day combines
    kinds (a 5xx burst with a hub drop, a stall with latency) to fit every kind in."""
    start, end = 5.0, D - tail
    base = SHORT_KINDS if short else EXCL_KINDS
    plan = [[k, chaos_params(rng, k, short), None] for k in base]
    rng.shuffle(plan)
    others = list(OTHER_KINDS)
    rng.shuffle(others)
    for i, k2 in enumerate(others):
        plan[i % len(plan)][2] = k2

    def gap_min(item):
        return max(MIN_GAP_S, (chaos_params(random.Random(0), item[2], short)["dur"] + 1.5) if item[2] else 0)

    def need(pl):
        return sum(it[1]["dur"] + it[1]["grace"] + gap_min(it) for it in pl)
    if not short:
        while True:
            k = rng.choice(EXCL_KINDS + ["kill9", "http_all", "drop_hubs", "http_close"])
            it = [k, chaos_params(rng, k, short), rng.choice(OTHER_KINDS) if rng.random() < 0.5 else None]
            if need(plan + [it]) + MIN_GAP_S * (len(plan) + 1) > end - start:
                break
            plan.insert(rng.randrange(len(plan) + 1), it)
    while plan and need(plan) > end - start:
        plan.pop()              # a day too short for every kind: fewer faults, never shorter gaps
    spare = (end - start) - need(plan)
    w = [rng.random() for _ in plan]
    tw = sum(w) or 1.0
    items = []
    t = start
    for (k, p, k2), wi in zip(plan, w):
        items.append((t, k, p))
        gmin = gap_min([k, p, k2])
        t += p["dur"] + p["grace"]
        if k2:
            items.append((t + 0.5, k2, chaos_params(rng, k2, short)))
        t += gmin + spare * wi / tw
    return items


def chaos_params(rng, kind, short=False):
    p = {"dur": 0.0, "grace": 0.0}
    if kind == "http_all":
        p.update(status=rng.choice((429, 429, 503, 500)), dur=rng.uniform(2.5, 6.0), grace=GRACE_HTTP_S)
    elif kind == "http_close":
        p.update(path=rng.choice(("/api/Position/closeContract", "/api/Position/partialCloseContract",
                                  "/api/Order/cancel", "/api/Position/*", "/api/Order/*")),
                 status=rng.choice((429, 500, 502, 503)), count=rng.choice((3, 5, 8, -1)),
                 dur=rng.uniform(1.5, 4.0), grace=GRACE_HTTP_S, drop=short or rng.random() < 0.4)
        if p["drop"]:
            p["grace"] = max(GRACE_HTTP_S, GRACE_DROP_S)
    elif kind == "http_misc":
        p.update(path=rng.choice(("/api/Position/searchOpen", "/api/Order/searchOpen", "/api/Trade/search",
                                  "/api/Account/search", "/api/Contract/searchById", "/api/Auth/*")),
                 status=rng.choice((429, 500, 503)), count=rng.choice((2, 5, 10, -1)),
                 dur=rng.uniform(1.5, 4.0), grace=GRACE_DROP_S, drop=True)
    elif kind == "latency":
        p.update(path=rng.choice(("*", "/api/Position/*", "/api/Order/cancel", "/api/Position/searchOpen")),
                 ms=rng.randint(200, 2500), dur=rng.uniform(1.0, 4.0))
        p["grace"] = GRACE_LATENCY_S + p["ms"] / 1000.0
        p["drop"] = rng.random() < 0.3
    elif kind == "drop_hubs":
        p.update(drops=rng.randint(1, 2), dur=rng.uniform(0.3, 1.0), grace=GRACE_DROP_S)
    elif kind == "stall_hubs":
        p.update(ms=rng.randint(500, 3500))
        p.update(dur=p["ms"] / 1000.0, grace=GRACE_STALL_S)
    elif kind == "stall_latency":
        p.update(ms=rng.randint(500, 3000), lat_ms=rng.randint(200, 2000),
                 path=rng.choice(("*", "/api/Position/*", "/api/Order/cancel")))
        p.update(dur=p["ms"] / 1000.0 + 0.5)
        p["grace"] = max(GRACE_STALL_S, GRACE_LATENCY_S + p["lat_ms"] / 1000.0)
    elif kind == "reject_auth":
        p.update(count=rng.randint(1, 3), dur=3.0, grace=GRACE_AUTH_S)
    elif kind == "kill9":
        p.update(delay=rng.uniform(0.2, 2.0), grace=STARTUP_GRACE_S)
        p["recon_fault"] = short or rng.random() < 0.5
        if p["recon_fault"]:
            # -1: every attempt of the start-up reconcile's search fails for 3 s (srmd must not say
            # "guarding" meanwhile); a count: some attempts fail, the retries should get through
            p.update(path=rng.choice(("/api/Trade/search", "/api/Position/searchOpen", "/api/Order/searchOpen",
                                      "/api/Account/search")), status=rng.choice((500, 503)),
                     count=rng.choice((3, 6, -1, -1)))
            p["grace"] = GRACE_DROP_S + 1.0
        p["hold"] = 3.0 if p["recon_fault"] else 1.5
        p["dur"] = p["delay"] + p["hold"]
    elif kind == "sigstop":
        p.update(dur=rng.uniform(0.5, 3.0), grace=GRACE_STOP_S)
    elif kind == "partial_fills":
        p.update(count=rng.randint(1, 4), ms=rng.randint(300, 1500), dur=rng.uniform(2.0, 4.0))
    elif kind == "sighup":
        p.update(dur=0.3)
    elif kind == "bad_reload":
        p.update(dur=1.2)
    elif kind == "second":
        p.update(dur=SECOND_EXIT_S + SECOND_OVERLAP_S + 1.0)
    return p


def make_attacks(rng, D, short, tail, chaos):
    """Hostile CLI clients. A slowloris is placed where srmd is neither stopped nor restarted
    (its CLI check would say nothing)."""
    busy = [(ct - 1.0, ct + p["dur"] + p["grace"] + 1.0) for ct, k, p in chaos if k in ("kill9", "sigstop", "second")]
    out = []
    kinds = ["auth_hangup", "slowloris"]
    rng.shuffle(kinds)
    t = 18.0
    while t < D - tail - 14:
        k = kinds.pop() if kinds else rng.choice(("auth_hangup", "auth_hangup", "slowloris"))
        if k == "auth_hangup":
            out.append((t, k, {"n": rng.randint(3, 10)}))
            t += rng.uniform(6, 14)
        else:
            hold = 12.0
            moved = True
            while moved:
                moved = False
                for a, b in busy:
                    if t < b and t + hold > a:
                        t = b
                        moved = True
            if t + hold > D - tail:
                break
            out.append((t, k, {"n": rng.randint(66, 72), "hold": hold}))
            t += hold + rng.uniform(6, 14)
        if short and not kinds and len(out) >= 3:
            break
    return out


# =============================================================================================
# The day
# =============================================================================================

class Day:
    def __init__(self, run):
        self.r = run
        rng = run.rng
        self.tail = 10.0
        short = run.mode == "short"
        # the revenge trader's scripted loss: 2 CL bought, CL drops 45 ticks 1.2 s later
        self.revenge_at = 2.5 if short else rng.uniform(2.5, run.D * 0.3)
        forced = [(self.revenge_at + 1.2, "CL", -45)]
        self.quotes = make_quotes(random.Random(rng.random()), run.D, forced=forced)
        self.traders = [make_trader(random.Random(rng.random()), i, run.D, self.tail,
                                    self.revenge_at if i == 2 else None) for i in range(run.o.accounts)]
        self.chaos = make_chaos(random.Random(rng.random()), run.D, short, self.tail)
        self.attacks = make_attacks(random.Random(rng.random()), run.D, short, self.tail, self.chaos)
        self.world = make_world(random.Random(rng.random()), run.o.accounts, run.D, short, self.chaos, self.attacks)
        self.refs = {}   # (acct idx, ref) -> order id

    def describe(self):
        r = self.r
        lines = ["schedule: %d chaos items, %d attacks, %d world events, trader actions %s" % (
            len(self.chaos), len(self.attacks), len(self.world), [len(x) for x in self.traders])]
        for t, k, p in self.chaos:
            q = {a: b for a, b in p.items() if a not in ("dur", "grace")}
            lines.append("  chaos  +%6.2fs %-13s %s" % (t, k, json.dumps(q, separators=(",", ":"))))
        for t, k, p in self.attacks:
            lines.append("  attack +%6.2fs %-13s %s" % (t, k, json.dumps(p, separators=(",", ":"))))
        for t, k, p in self.world:
            lines.append("  world  +%6.2fs %-13s %s" % (t, k, json.dumps(p, separators=(",", ":"))))
        return lines

    # ---- helpers ----
    def sleep_until(self, t_rel, handle_death=True):
        r = self.r
        while not r.stop.is_set():
            now = r.now() - self.day0
            if now >= t_rel:
                return True
            if handle_death:
                r.handle_death()
            time.sleep(min(0.05, max(0.0, t_rel - now)))
        return False

    def pos(self, acct, cid):
        s = self.r.latest or {}
        return s.get((acct, cid), 0)

    # ---- threads ----
    def th_quotes(self):
        r = self.r
        step = 0.4
        k = 0
        n = len(next(iter(self.quotes.values())))
        while not r.stop.is_set() and k < n:
            if not self.sleep_until(k * step, handle_death=False):
                return
            now = r.now() - self.day0
            k = max(k, min(n - 1, int(now / step)))  # catch up after a held answer (stall)
            for cid, seq in self.quotes.items():
                _, bid, ask, last = seq[k]
                t = r.now()
                st, _ = r.http("POST", "/sim/quote", {"contractId": cid, "bid": bid, "ask": ask, "last": last}, timeout=8)
                if st == 200 or (st is None and "timed out" in str(_)):
                    r.quote_posts.append((t, cid, bid, ask, last))
                    r.quotes_now[cid] = (bid, ask)
            k += 1

    def th_trader(self, idx):
        r = self.r
        acct = r.accounts[idx]
        for t, kind, p in self.traders[idx]:
            if not self.sleep_until(t, handle_death=False):
                return
            try:
                self.trader_act(idx, acct, kind, p)
            except Exception as e:
                r.note("trader %d: %s failed: %s" % (acct, kind, e))

    def trader_act(self, idx, acct, kind, p):
        r = self.r
        if kind in ("mkt", "limit"):
            c = CONTRACTS[p["sym"]]
            body = {"accountId": acct, "contractId": c["id"], "type": 2, "side": p["side"], "size": p["size"]}
            if kind == "limit":
                bid, ask = r.quotes_now.get(c["id"], (c["start"], c["start"] + c["tick"]))
                off = p["ticks"] * c["tick"]
                px = bid - off if p["side"] == 0 else ask + off
                body.update(type=1, limitPrice=round(round(px / c["tick"]) * c["tick"], 6))
            t = r.now()
            st, d = r.http("POST", "/sim/trader/order", body)
            if st == 200 and isinstance(d, dict) and d.get("orderId"):
                r.trader_orders[int(d["orderId"])] = (acct, c["id"], t, r.now())
                if kind == "limit":
                    self.refs[(idx, p["ref"])] = int(d["orderId"])
        elif kind == "cancel":
            oid = self.refs.get((idx, p["ref"]))
            if oid:
                r.http("POST", "/sim/trader/cancel", {"accountId": acct, "orderId": oid})
        elif kind in ("exit", "tclose"):
            cid = CONTRACTS[p["sym"]]["id"]
            q = self.pos(acct, cid)
            if q == 0:
                open_ = sorted(c for (a, c), v in (r.latest or {}).items() if a == acct and v != 0)
                if not open_:
                    return
                cid = open_[0]
                q = self.pos(acct, cid)
            if kind == "tclose" and r.now() > r.pf_until:
                t = r.now()
                st, d = r.http("POST", "/sim/trader/close", {"accountId": acct, "contractId": cid})
                r.trader_closes.append((acct, cid, t, r.now(), d.get("errorCode") if isinstance(d, dict) else None))
            else:
                t = r.now()
                st, d = r.http("POST", "/sim/trader/order", {"accountId": acct, "contractId": cid, "type": 2,
                                                             "side": 1 if q > 0 else 0, "size": abs(q)})
                if st == 200 and isinstance(d, dict) and d.get("orderId"):
                    r.trader_orders[int(d["orderId"])] = (acct, cid, t, r.now())

    def th_world(self):
        r = self.r
        for t, kind, p in self.world:
            if not self.sleep_until(t, handle_death=False):
                return
            acct = r.accounts[p["acct"]]
            if kind == "cantrade":
                t1 = r.now()
                st, _ = r.http("POST", "/sim/account", {"accountId": acct, "canTrade": False})
                r.cantrade.append((t1, acct, False, st is not None))
                r.note("account %d canTrade false -> %s" % (acct, st))
                if not self.sleep_until(t + p["dur"], handle_death=False):
                    t1 = r.now()
                t2 = r.now()
                st, _ = r.http("POST", "/sim/account", {"accountId": acct, "canTrade": True})
                r.cantrade.append((t2, acct, True, st is not None))
                r.note("account %d canTrade true -> %s" % (acct, st))
            elif kind == "admin_lockout":
                reason = "chaos-admin-%d-%d" % (r.seed, p["n"])
                t1 = r.now()
                rc, out, err, took = r.cli(["admin", "lockout", "set", str(acct), "--for", "%ds" % p["dur"],
                                            "--reason", reason], timeout=10)
                r.admin_calls.append({"t": t1, "t_end": r.now(), "acct": acct, "dur": p["dur"], "reason": reason,
                                      "rc": rc, "err": (err or "").strip()[-200:]})
                r.note("admin lockout set %d for %ds -> rc %s %s" % (acct, p["dur"], rc, (err or "").strip()[-120:]))

    def th_sampler(self):
        r = self.r
        while not r.stop.is_set():
            ta = r.now()
            st, d = r.http("GET", "/sim/state", timeout=5)
            tb = r.now()
            if st == 200 and isinstance(d, dict):
                pos = {}
                for p in d.get("positions", []):
                    q = p["size"] if p["type"] == 1 else -p["size"]
                    pos[(p["accountId"], p["contractId"])] = q
                r.latest = pos
                r.samples.append((ta, tb, pos))
            r.stop.wait(SAMPLE_S)

    def fetch_requests(self):
        r = self.r
        for _ in range(100):
            st, d = r.http("GET", "/sim/requests?since=%d" % r.req_seq, timeout=5)
            if st != 200 or not isinstance(d, dict):
                return
            for q in d.get("requests", []):
                if q["seq"] > r.req_seq:
                    r.requests.append(q)
            r.req_seq = max(r.req_seq, int(d.get("lastSeq", r.req_seq)))
            if not d.get("more"):
                return

    def th_requests(self):
        r = self.r
        while not r.stop.is_set():
            self.fetch_requests()
            r.stop.wait(1.0)

    def th_status(self):
        r = self.r
        while not r.stop.is_set():
            t = r.now()
            ph = r.phase(timeout=2.0)
            r.polls.append((t, r.now(), ph))
            r.stop.wait(0.4)

    def th_monitor(self):
        r = self.r
        while not r.stop.is_set():
            for pr in list(r.procs):
                r.reap(pr)
            r.stop.wait(0.1)

    # ---- chaos ----
    def th_chaos(self):
        r = self.r
        for t, kind, p in self.chaos:
            if not self.sleep_until(t):
                return
            try:
                getattr(self, "c_" + kind)(p)
            except Exception as e:
                r.note("chaos %s failed: %s" % (kind, traceback.format_exc(limit=3)))
            r.handle_death()

    def hold(self, dur):
        self.sleep_until(self.r.now() - self.day0 + dur)

    def c_http_all(self, p):
        r = self.r
        e = r.excl_open("http_all", "%d on every /api path" % p["status"])
        r.fault({"kind": "http", "path": "*", "status": p["status"], "count": -1})
        self.hold(p["dur"])
        r.clear_faults()
        r.excl_close(e, p["grace"])

    def c_http_close(self, p):
        r = self.r
        e = r.excl_open("http_close", "%d x%d on %s" % (p["status"], p["count"], p["path"]))
        r.fault({"kind": "http", "path": p["path"], "status": p["status"], "count": p["count"]})
        if p.get("drop"):
            r.fault({"kind": "drop_hubs"})
        self.hold(p["dur"])
        r.clear_faults()
        r.excl_close(e, p["grace"])

    def c_http_misc(self, p):
        r = self.r
        e = r.excl_open("http_misc", "%d x%d on %s + hub drop" % (p["status"], p["count"], p["path"]))
        r.fault({"kind": "http", "path": p["path"], "status": p["status"], "count": p["count"]})
        r.fault({"kind": "drop_hubs"})  # the reconnect's reconcile meets the fault
        self.hold(p["dur"])
        r.clear_faults()
        r.excl_close(e, p["grace"])

    def c_latency(self, p):
        r = self.r
        e = r.excl_open("latency", "%d ms on %s" % (p["ms"], p["path"]))
        r.fault({"kind": "latency", "path": p["path"], "ms": p["ms"], "count": -1})
        if p.get("drop"):
            r.fault({"kind": "drop_hubs"})
        self.hold(p["dur"])
        r.clear_faults()
        r.excl_close(e, p["grace"])

    def c_drop_hubs(self, p):
        r = self.r
        e = r.excl_open("drop_hubs", "%d drop(s)" % p["drops"])
        for i in range(p["drops"]):
            r.fault({"kind": "drop_hubs"})
            if i + 1 < p["drops"]:
                self.hold(p["dur"])
        r.excl_close(e, p["grace"])

    def c_stall_hubs(self, p):
        r = self.r
        e = r.excl_open("stall_hubs", "%d ms" % p["ms"])
        r.fault({"kind": "stall_hubs", "ms": p["ms"]})
        self.hold(p["ms"] / 1000.0)
        r.excl_close(e, p["grace"])

    def c_stall_latency(self, p):
        r = self.r
        e = r.excl_open("stall_latency", "hub stall %d ms + %d ms latency on %s" % (p["ms"], p["lat_ms"], p["path"]))
        r.fault({"kind": "latency", "path": p["path"], "ms": p["lat_ms"], "count": -1})
        r.fault({"kind": "stall_hubs", "ms": p["ms"]})
        self.hold(p["dur"])
        r.clear_faults()
        r.excl_close(e, p["grace"])

    def c_reject_auth(self, p):
        r = self.r
        e = r.excl_open("reject_auth", "next %d authenticated requests 401 + hub drop" % p["count"])
        r.fault({"kind": "reject_auth", "count": p["count"]})
        r.fault({"kind": "drop_hubs"})
        self.hold(p["dur"])
        r.clear_faults()
        r.excl_close(e, p["grace"])

    def c_kill9(self, p):
        r = self.r
        pr = r.primary
        if pr is None or not pr.alive:
            return
        e = r.excl_open("kill9", "kill -9 srmd #%d, restart after %.1fs%s" % (
            pr.n, p["delay"], (", then %d x%d on %s" % (p["status"], p["count"], p["path"])) if p.get("recon_fault") else ""))
        r.signal(pr, signal.SIGCONT)
        r.signal(pr, signal.SIGKILL, ended_by="kill9")
        r.note("kill -9 srmd #%d" % pr.n)
        r.wait_exit(pr, 5)
        self.hold(p["delay"])
        if p.get("recon_fault"):
            r.fault({"kind": "http", "path": p["path"], "status": p["status"], "count": p["count"]})
        r.write_config()
        r.spawn_srmd("primary")
        self.hold(p.get("hold", 1.5))
        if p.get("recon_fault"):
            r.clear_faults()
        r.excl_close(e, p["grace"])

    def c_sigstop(self, p):
        r = self.r
        pr = r.primary
        if pr is None or not pr.alive:
            return
        e = r.excl_open("sigstop", "srmd #%d stopped %.1fs" % (pr.n, p["dur"]))
        r.signal(pr, signal.SIGSTOP)
        r.note("SIGSTOP srmd #%d" % pr.n)
        self.sleep_until(r.now() - self.day0 + p["dur"], handle_death=False)
        r.signal(pr, signal.SIGCONT)
        r.note("SIGCONT srmd #%d" % pr.n)
        r.excl_close(e, p["grace"])

    def c_partial_fills(self, p):
        r = self.r
        r.pf_until = r.now() + p["dur"] + p["ms"] / 1000.0 + 1.0
        r.fault({"kind": "partial_fills", "count": p["count"], "ms": p["ms"]})
        self.hold(p["dur"])
        r.clear_faults()

    def c_sighup(self, p):
        r = self.r
        if r.signal(r.primary, signal.SIGHUP):
            r.note("SIGHUP srmd #%d (same config)" % r.primary.n)

    def c_bad_reload(self, p):
        r = self.r
        pr = r.primary
        if pr is None or not pr.alive:
            return
        r.write_config(broken=True)
        r.signal(pr, signal.SIGHUP)
        r.note("SIGHUP srmd #%d with a broken config" % pr.n)
        time.sleep(1.0)
        r.write_config()

    def c_second(self, p):
        r = self.r
        pr = r.primary
        if pr is None or not pr.alive:
            return
        sock2 = os.path.join(r.work, "srm2.sock")
        s = r.spawn_srmd("second", ["--socket", sock2])
        rec = {"t": s.start_t, "proc": s, "exited": False, "rc": None, "primary_ok": None}
        r.seconds.append(rec)
        if r.wait_exit(s, SECOND_EXIT_S):
            rec.update(exited=True, rc=s.rc, took=s.end_t - s.start_t)
            r.note("second srmd #%d exited by itself after %.2fs: %s" % (s.n, s.end_t - s.start_t, rc_text(s.rc)))
        else:
            rec["still_running_at"] = r.now()
            r.note("second srmd #%d still running after %.1fs (both guard the same state)" % (s.n, SECOND_EXIT_S))
            self.sleep_until(r.now() - self.day0 + SECOND_OVERLAP_S, handle_death=False)
            r.signal(s, signal.SIGTERM, ended_by="term")
            if not r.wait_exit(s, 5):
                r.signal(s, signal.SIGKILL, ended_by="kill9")
                r.wait_exit(s, 5)
            rec["rc_after_term"] = s.rc
        ph = None
        for _ in range(10):
            ph = r.phase(timeout=1.0)
            if ph is not None:
                break
            time.sleep(0.2)
        rec["primary_phase"] = ph
        rec["primary_alive"] = pr.alive

    # ---- hostile clients ----
    def th_attacks(self):
        r = self.r
        for t, kind, p in self.attacks:
            if not self.sleep_until(t, handle_death=False):
                return
            try:
                getattr(self, "a_" + kind)(p)
            except Exception:
                r.note("attack %s failed: %s" % (kind, traceback.format_exc(limit=3)))

    def a_auth_hangup(self, p):
        r = self.r
        sent = 0
        rng = random.Random(r.seed * 7 + int(p["n"]))
        for _ in range(p["n"]):
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.settimeout(1.0)
                s.connect(r.sock)
                s.sendall(b'{"id":1,"cmd":"auth","args":{"password":"wrong"}}\n')
                s.close()
                sent += 1
            except OSError:
                pass
            time.sleep(rng.uniform(0.02, 0.3))
        r.note("hostile: %d wrong-password requests, each hung up at once" % sent)

    def a_slowloris(self, p):
        r = self.r
        pr = r.primary
        t_start = r.now()
        conns = []
        why = ""
        for _ in range(p["n"]):
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.settimeout(1.0)
                s.connect(r.sock)
                s.sendall(b'{"id":1,"cmd":"status","args":{"accou')
                conns.append(s)
            except OSError as e:
                why = " (connect %d: %s)" % (len(conns) + 1, e)
                break
            time.sleep(0.005)
        r.note("hostile: %d half requests held open for %.0fs%s" % (len(conns), p["hold"], why))
        rec = {"t": t_start, "n": len(conns), "proc": pr, "answered_at": None, "attempts": []}
        deadline = t_start + min(CLI_BOUND_S, p["hold"] - 0.5)
        while r.now() < deadline and not r.stop.is_set():
            rc, out, err, took = r.cli(["status", "--json"], timeout=3.0)
            ok = rc == 0 and out.strip().startswith("{")
            rec["attempts"].append((r.now(), rc, (err or "").strip()[-160:]))
            if ok:
                rec["answered_at"] = r.now()
                break
            time.sleep(0.7)
        rest = t_start + p["hold"] - r.now()
        if rest > 0:
            r.stop.wait(rest)
        for s in conns:
            try:
                s.close()
            except OSError:
                pass
        rec["t_end"] = r.now()
        rc, out, err, took = r.cli(["status", "--json"], timeout=5.0)
        rec["after"] = (rc, (err or "").strip()[-160:])
        r.cli_checks.append(rec)

    # ---- the run ----
    def run(self):
        r = self.r
        r.make_hash()
        r.start_sim()
        r.write_config()
        init = r.excl_open("startup", "srmd first start")
        r.spawn_srmd("primary")
        t_g = None
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            ta = r.now()
            ph = r.phase(1.0)
            r.polls.append((ta, r.now(), ph))
            if ph == "guarding":
                t_g = r.now()
                break
            r.reap(r.primary)
            if not r.primary.alive:
                break
            time.sleep(0.1)
        if t_g is None:
            raise RuntimeError("srmd did not reach guarding at start-up:\n" + tail(r.primary.logpath, 30))
        self.day0 = r.now()
        r.excl_close(init, 1.0)
        r.note("day starts (srmd guarding)")
        targets = [self.th_sampler, self.th_requests, self.th_status, self.th_monitor, self.th_quotes,
                   self.th_world, self.th_attacks, self.th_chaos] + \
                  [(lambda i=i: self.th_trader(i)) for i in range(len(r.accounts))]
        for f in targets:
            th = threading.Thread(target=f, daemon=True)
            th.start()
            r.threads.append(th)
        self.sleep_until(r.D)                       # the day
        r.note("day ends: trader and faults stop")
        r.clear_faults()
        for pr in r.procs:                          # nothing may stay stopped
            if pr.alive:
                r.signal(pr, signal.SIGCONT)
        r.handle_death()
        self.sleep_until(r.D + SETTLE_S)            # quiet tail, still observed
        self.horizon = r.now()
        r.handle_death()
        # let srmd catch up with every fill (bounded), then take its word and stop it
        sim_ids = set()
        st, d = r.http("GET", "/sim/state", timeout=10)
        if st == 200:
            sim_ids = {t["id"] for t in d["trades"]}
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            have = db_fill_ids(r.db)
            if have is not None and sim_ids <= have:
                break
            time.sleep(0.5)
        self.status_end = None
        try:
            self.status_end = r.ipc({"id": 2, "cmd": "status"}, timeout=5)["data"]
        except Exception as e:
            r.info.append("final `status` failed: %s" % e)
        r.stop.set()
        for th in r.threads:
            th.join(timeout=12)
        self.fetch_requests()
        st, self.final = r.http("GET", "/sim/state", timeout=10)
        if st != 200:
            raise RuntimeError("final /sim/state failed: %s" % st)
        pr = r.primary
        self.term_t = r.now()
        if pr.alive:
            r.signal(pr, signal.SIGCONT)
            r.signal(pr, signal.SIGTERM, ended_by="term")
            if not r.wait_exit(pr, 10):
                r.note("srmd #%d did not stop within 10 s of SIGTERM" % pr.n)
                r.signal(pr, signal.SIGKILL, ended_by="kill9")
                pr.term_hung = True
                r.wait_exit(pr, 5)
        for p2 in r.procs:
            r.reap(p2)
        self.dbdata = read_db(r.db)


def tail(path, n):
    try:
        with open(path, "rb") as f:
            lines = f.read().decode("utf-8", "replace").splitlines()
        return "\n".join(lines[-n:])
    except OSError:
        return ""


def db_fill_ids(path):
    try:
        con = sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=2)
        try:
            return {row[0] for row in con.execute("SELECT id FROM fills")}
        finally:
            con.close()
    except sqlite3.Error:
        return None


def read_db(path):
    con = sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=5)
    con.row_factory = sqlite3.Row
    out = {}
    try:
        for tab in ("journal", "fills", "accounts", "lockouts", "audit"):
            try:
                out[tab] = [dict(x) for x in con.execute("SELECT * FROM %s" % tab)]
            except sqlite3.Error as e:
                out[tab] = []
                out.setdefault("errors", []).append("%s: %s" % (tab, e))
        try:
            out["integrity"] = con.execute("PRAGMA integrity_check").fetchone()[0]
        except sqlite3.Error as e:
            out["integrity"] = str(e)
    finally:
        con.close()
    return out


# =============================================================================================
# Analysis
# =============================================================================================

class Analysis:
    def __init__(self, run, day):
        self.r, self.day = run, day
        r = run
        self.H = day.horizon
        self.day0 = day.day0
        st = day.final
        self.trades = sorted(st["trades"], key=lambda t: t["id"])
        for t in self.trades:
            t["t"] = r.ms_to_mono(iso_ms(t["creationTimestamp"]))
        self.orders = {o["id"]: o for o in st["orders"]}
        for o in self.orders.values():
            o["t_new"] = r.ms_to_mono(iso_ms(o["creationTimestamp"]))
            o["t_upd"] = r.ms_to_mono(iso_ms(o["updateTimestamp"]))
        self.fills_of = {}
        for t in self.trades:
            self.fills_of.setdefault(t["orderId"], []).append(t)
        self.reqs = []
        for q in r.requests:
            q = dict(q)
            q["t"] = q["tsNs"] / 1e9
            if q["kind"] == "rest":
                q["lpath"] = q["path"].lower()
                b = q.get("body")
                q["b"] = b if isinstance(b, dict) else {}
            self.reqs.append(q)
        self.journal = sorted(day.dbdata.get("journal", []), key=lambda j: j["id"])
        for j in self.journal:
            j["t"] = r.ms_to_mono(j["ts_ms"])
            j["t_out"] = r.ms_to_mono(j["sent_ms"]) if j.get("sent_ms") else None
        self.excl = [(a, b if b is not None else self.H, k, d) for a, b, k, d in r.excl]
        # the gateway's own rate limit refusing: the gateway does not accept requests either
        # (a separate check says whether srmd's own volume caused it)
        self.limiter = [q for q in self.reqs if q["kind"] == "rest" and q["status"] == 429 and not any(
            a <= q["t"] <= (b if b is not None else self.H) + 0.1 and st == 429 and fnmatch.fnmatchcase(q["lpath"], pat)
            for a, b, st, pat in r.armed)]
        clusters = []
        for q in self.limiter:
            if clusters and q["t"] - clusters[-1][1] < 1.0:
                clusters[-1][1] = q["t"]
            else:
                clusters.append([q["t"], q["t"]])
        for a, b in clusters:
            self.excl.append((a, b + GRACE_HTTP_S, "rate_limit", "the gateway's own 200/60s limit answered 429"))
        self.excl.sort()
        self.merged = merge([(a, b) for a, b, _, _ in self.excl])
        self.attribute()
        self.limits = {}
        for i, a in enumerate(r.accounts):
            o = OVERRIDES.get(i, {})
            self.limits[a] = {"max": o.get("max_contracts", RULES["max_contracts"]["limit"]),
                              "loss": o.get("daily_loss", RULES["daily_loss"])}
        self.breaches = []     # (inv, key, acct, start, end, detail)

    # ---- who placed what ----
    def attribute(self):
        r = self.r
        self.owner = {}  # order id -> 'trader' | 'trader-close' | 'srm'
        for oid in self.orders:
            self.owner[oid] = "trader" if oid in r.trader_orders else "srm"
        for acct, cid, ta, tb, code in r.trader_closes:
            if code != 0:
                continue
            cands = [o for o in self.orders.values() if o["accountId"] == acct and o["contractId"] == cid
                     and self.owner[o["id"]] == "srm" and ta - 0.01 <= o["t_new"] <= tb + 0.01 and o["type"] == 2]
            if cands:
                self.owner[max(cands, key=lambda o: o["id"])["id"]] = "trader-close"

    def who(self, trade):
        return self.owner.get(trade["orderId"], "srm")

    # ---- exclusions ----
    def clean_pieces(self, a, b):
        """[a, b) minus the excluded windows: list of (start, end)."""
        out = []
        cur = a
        for x, y in self.merged:
            if y <= cur:
                continue
            if x >= b:
                break
            if x > cur:
                out.append((cur, min(x, b)))
            cur = max(cur, y)
            if cur >= b:
                break
        if cur < b:
            out.append((cur, b))
        return out

    def excluded(self, t):
        for x, y in self.merged:
            if x <= t < y:
                return True
            if x > t:
                break
        return False

    def clean_total(self):
        return sum(b - a for a, b in self.clean_pieces(self.day0, self.H))

    # ---- the sweep: ground truth replayed per account ----
    def sweep(self):
        r = self.r
        marks = self.mark_events()
        lockouts = self.lockout_windows()
        for acct in r.accounts:
            self.sweep_account(acct, marks, lockouts.get(acct, []))

    def mark_events(self):
        """Global per-contract marks: the most favourable price srmd could be using."""
        ev = []
        for t, cid, bid, ask, last in self.r.quote_posts:
            ev.append((t, 0, "quote", cid, (bid, ask, last)))
        for tr in self.trades:
            ev.append((tr["t"], 1, "print", tr["contractId"], tr["price"]))
        ev.sort(key=lambda e: (e[0], e[1]))
        return ev

    def lockout_windows(self):
        """srmd's lockouts (journal) per account: dict(rule, start, end, flatten, reason, id)."""
        out = {}
        unlocks = [j for j in self.journal if j["action"] == "unlock" and not j["dry_run"]]
        seconds = [(pr.start_t, pr.end_t or self.H) for pr in self.r.procs if pr.role == "second"]
        skipped = 0
        for j in self.journal:
            if j["action"] != "lockout" or j["dry_run"] or j["rule"] == "RULE-011":
                continue
            if any(a <= j["t"] <= b for a, b in seconds):
                skipped += 1    # perhaps the second srmd's, which the first never knew of
                continue
            until = j.get("until")
            end = self.H + 1e6
            if until and until not in ("reset", "permanent"):
                try:
                    end = self.r.ms_to_mono(int(until))
                except ValueError:
                    pass
            for u in unlocks:
                if u["account_id"] == j["account_id"] and u["rule"] == j["rule"] and u["id"] > j["id"]:
                    end = min(end, u["t"])
                    break
            out.setdefault(j["account_id"], []).append(
                {"id": j["id"], "rule": j["rule"], "start": j["t"], "end": end, "reason": j["reason"],
                 "flatten": j["rule"] in FLATTENING_RULES, "until": until})
        if skipped and not getattr(self, "_skip_noted", False):
            self._skip_noted = True
            self.r.info.append("%d lockout row(s) journaled while a second srmd ran were not checked (either "
                               "daemon may have written them)" % skipped)
        return out

    def sweep_account(self, acct, marks, locks):
        r = self.r
        lim = self.limits[acct]
        ev = []
        seq = 0

        def push(t, prio, kind, data):
            nonlocal seq
            seq += 1
            heapq.heappush(ev, (t, prio, seq, kind, data))

        for tr in self.trades:
            if tr["accountId"] == acct:
                push(tr["t"], 2, "trade", tr)
        for o in self.orders.values():
            if o["accountId"] != acct or self.owner[o["id"]] != "trader":
                continue
            push(o["t_new"], 1, "order_new", o)
            if o["status"] in (2, 3, 4, 5):
                push(max(o["t_upd"], o["t_new"]), 3, "order_end", o)
        for e in marks:
            push(e[0], 2, "mark", e)
        for L in locks:
            push(L["start"], 0, "lock_start", L)
            if L["end"] < self.H:
                push(L["end"], 4, "lock_end", L)
        for t, a, val, ok in r.cantrade:
            if a == acct and ok:
                push(t, 0, "cantrade", val)
        push(self.H, 9, "horizon", None)

        pos, avg = {}, {}
        working = {}            # order id -> dict(o, rem, opening_at_new)
        quote = {}              # cid -> [bid, ask, last, hi_print, lo_print]
        cum = 0
        loss_at = None
        can_trade = True
        active_locks = {}       # id -> lock dict with 'tol'
        opened = {}             # cid -> (open t, deadline, gen)
        gen = 0
        active = {}             # key -> [start, detail]

        def reducing_alone(o, rem, t):
            q = pos.get(o["contractId"], 0)
            s = 1 if o["side"] == 0 else -1
            return q != 0 and sign(q) == -s and rem <= abs(q)

        def deadline_for(t_open):
            eff = t_open
            changed = True
            while changed:
                changed = False
                for x, y in self.merged:
                    if x <= eff + OPEN_SEEN_S and y > eff:
                        eff = y
                        changed = True
            return eff + RULE008_GRACE_S

        def evaluate(t):
            keys = {}
            net = sum(pos.values())
            if abs(net) > lim["max"]:
                keys[("inv1", "max_contracts", "")] = "net %d over limit %d (%s)" % (net, lim["max"], fmt_pos(pos))
            for cid, q in pos.items():
                if q == 0:
                    continue
                sym = SYM_OF.get(cid, cid)
                climit = RULES["per_instrument"]["limits"].get(sym, RULES["per_instrument"]["default"])
                if abs(q) > climit:
                    keys[("inv1", "max_contracts_per_instrument", cid)] = "%s %d over limit %d" % (sym, q, climit)
                if sym in RULES["blocked"]:
                    keys[("inv1", "symbol_blocks", cid)] = "%s position %d in a blocked symbol" % (sym, q)
                qt = quote.get(cid)
                c = CONTRACTS.get(sym)
                if qt is not None and c is not None:
                    bid, ask, last, hi, lo = qt
                    best = max(x for x in (ask, last, hi) if x is not None) if q > 0 else \
                        min(x for x in (bid, last, lo) if x is not None)
                    unreal = (best - avg[cid]) / c["tick"] * c["value"] * q
                    if unreal <= -(RULES["unrealized_loss"] + c["value"] * abs(q)):
                        keys[("inv1", "daily_unrealized_loss", cid)] = \
                            "%s %d @ %.2f: unrealized %.2f at the trader's best mark %.2f (limit %.0f)" % (
                                sym, q, avg[cid], unreal, best, RULES["unrealized_loss"])
                if cid in opened and t >= opened[cid][1]:
                    keys[("inv1", "no_stop_loss_grace", cid)] = "%s %d open since %s without a stop (grace %.0fs)" % (
                        sym, q, self.r.rel(opened[cid][0]), RULE008_GRACE_S)
            anypos = any(q != 0 for q in pos.values())
            if loss_at is not None and anypos:
                keys[("inv1", "daily_loss_flat", "")] = "realized %.2f reached -%.0f at %s; open: %s" % (
                    cum / 100, lim["loss"], self.r.rel(loss_at), fmt_pos(pos))
            if not can_trade and anypos:
                keys[("inv1", "auth_loss_flat", "")] = "canTrade false; open: %s" % fmt_pos(pos)
            for L in active_locks.values():
                if L["rule"] == "ENGINE" and anypos:
                    keys[("inv1", "admin_lockout_flat", "")] = "admin lockout #%d (%s) holds; open: %s" % (
                        L["id"], L["reason"], fmt_pos(pos))
            # working orders (the trader's)
            for oid, w in working.items():
                o, rem = w["o"], w["rem"]
                if rem <= 0:
                    continue
                cid = o["contractId"]
                sym = SYM_OF.get(cid, cid)
                s = 1 if o["side"] == 0 else -1
                alone = reducing_alone(o, rem, t)
                if not alone:
                    if abs(net + s * rem) > lim["max"]:
                        keys[("inv1", "max_contracts_order", oid)] = "order %d %s %s%d would take net %d to %d (limit %d)" % (
                            oid, sym, "+" if s > 0 else "-", rem, net, net + s * rem, lim["max"])
                    climit = RULES["per_instrument"]["limits"].get(sym, RULES["per_instrument"]["default"])
                    q = pos.get(cid, 0)
                    if abs(q + s * rem) > climit:
                        keys[("inv1", "max_contracts_per_instrument_order", oid)] = \
                            "order %d %s %s%d would take %s from %d to %d (limit %d)" % (
                                oid, sym, "+" if s > 0 else "-", rem, sym, q, q + s * rem, climit)
                    if sym in RULES["blocked"]:
                        keys[("inv1", "symbol_blocks_order", oid)] = "order %d in blocked %s working" % (oid, sym)
                    # inv 2: an order that opens while a lockout holds
                    # (a flattening lockout cancels every order that would open; the others only
                    # the opening orders placed after they started)
                    why = None
                    if loss_at is not None:
                        why = "daily loss reached at %s" % self.r.rel(loss_at)
                    elif not can_trade:
                        why = "canTrade false"
                    else:
                        for L in active_locks.values():
                            if L["flatten"] or (o["t_new"] > L["start"] and w["opening"]):
                                why = "lockout #%d %s (%s) since %s" % (L["id"], L["rule"], L["reason"], self.r.rel(L["start"]))
                                break
                    if why:
                        keys[("inv2", "lockout_order", oid)] = "order %d %s %s%d working while locked: %s" % (
                            oid, sym, "+" if s > 0 else "-", rem, why)
            # inv 2: growth under a lockout that tolerates what it found
            for L in active_locks.values():
                if L["flatten"]:
                    continue
                for cid, q in pos.items():
                    tq, ts = L["tol"].get(cid, (0, 0))
                    if q != 0 and (sign(q) != ts or abs(q) > tq):
                        keys[("inv2", "lockout_growth", cid)] = \
                            "%s is %d under lockout #%d %s (%s, since %s), which found %s" % (
                                SYM_OF.get(cid, cid), q, L["id"], L["rule"], L["reason"], self.r.rel(L["start"]),
                                ("%+d" % (tq * ts)) if tq else "none")
            return keys

        while ev:
            t = ev[0][0]
            while ev and ev[0][0] == t:
                _, _, _, kind, d = heapq.heappop(ev)
                if kind == "trade":
                    cid = d["contractId"]
                    q0 = pos.get(cid, 0)
                    s = 1 if d["side"] == 0 else -1
                    q1 = q0 + s * d["size"]
                    if q0 == 0 or sign(q0) == s:
                        avg[cid] = (abs(q0) * avg.get(cid, 0.0) + d["size"] * d["price"]) / abs(q1)
                    elif q1 != 0 and sign(q1) != sign(q0):
                        avg[cid] = d["price"]
                    pos[cid] = q1
                    if q1 == 0:
                        opened.pop(cid, None)
                    elif q0 == 0 or sign(q1) != sign(q0):
                        gen += 1
                        dl = deadline_for(t)
                        opened[cid] = (t, dl, gen)
                        push(dl, 5, "deadline", gen)
                    if d.get("profitAndLoss") is not None and not d.get("voided"):
                        cum += cents(d["profitAndLoss"])
                        if loss_at is None and cum <= -cents(lim["loss"]):
                            loss_at = t
                    w = working.get(d["orderId"])
                    if w is not None:
                        w["rem"] -= d["size"]
                    # what a tolerating lockout still accepts: the smallest the position has been
                    # since it started, as srmd could see it (a reduction and re-growth while
                    # srmd was down or blind is not held against it)
                    seen = not self.excluded(t)
                    for L in active_locks.values():
                        tq, ts = L["tol"].get(cid, (0, 0))
                        if q1 != 0 and sign(q1) == ts:
                            if seen:
                                L["tol"][cid] = (min(tq, abs(q1)), ts)
                        elif seen or (q1 != 0 and sign(q1) != ts):
                            L["tol"][cid] = (0, 0)
                    qt = quote.get(cid)
                elif kind == "order_new":
                    cid = d["contractId"]
                    q = pos.get(cid, 0)
                    s = 1 if d["side"] == 0 else -1
                    opening = q == 0 or sign(q) == s or d["size"] > abs(q)
                    working[d["id"]] = {"o": d, "rem": d["size"], "opening": opening}
                elif kind == "order_end":
                    working.pop(d["id"], None)
                elif kind == "mark":
                    _, _, mk, cid, val = d
                    if mk == "quote":
                        quote[cid] = [val[0], val[1], val[2], None, None]
                    elif cid in quote:
                        qt = quote[cid]
                        qt[3] = val if qt[3] is None else max(qt[3], val)
                        qt[4] = val if qt[4] is None else min(qt[4], val)
                elif kind == "lock_start":
                    L = dict(d)
                    L["tol"] = {cid: (abs(q), sign(q)) for cid, q in pos.items() if q != 0}
                    active_locks[L["id"]] = L
                elif kind == "lock_end":
                    active_locks.pop(d["id"], None)
                elif kind == "cantrade":
                    can_trade = d
            keys = evaluate(t) if t < self.H else {}
            for k in list(active):
                if k not in keys:
                    st, det = active.pop(k)
                    self.breaches.append((k, acct, st, t, det))
            for k, det in keys.items():
                if k not in active:
                    active[k] = [t, det]
                elif det != active[k][1] and "; then: " not in active[k][1]:
                    active[k][1] = active[k][1] + "; then: " + det
                elif det != active[k][1]:
                    active[k][1] = active[k][1].split("; then: ")[0] + "; then: " + det
        for k, (st, det) in active.items():
            self.breaches.append((k, acct, st, self.H, det))

    # ---- checks ----
    def check_bounds(self):
        """inv 1 and inv 2 (the breach parts): no breach lasts > BOUND_S of clean time."""
        fails = {"inv1": [], "inv2": []}
        stats = {"inv1": [0, 0.0], "inv2": [0, 0.0]}
        for (inv, kind, sub), acct, a, b, det in sorted(self.breaches, key=lambda x: x[2]):
            stats[inv][0] += 1
            worst = 0.0
            for x, y in self.clean_pieces(a, b):
                worst = max(worst, y - x)
                if y - x > BOUND_S:
                    fails[inv].append(Failure(
                        inv, x + BOUND_S,
                        "%s on account %d: %s. In breach from %s to %s (%.1fs); %.1fs of it in one stretch "
                        "with the gateway up and srmd running, from %s (bound %.0fs)" % (
                            kind, acct, det, self.r.rel(a), self.r.rel(b) if b < self.H else "the end",
                            b - a, y - x, self.r.rel(x), BOUND_S),
                        functools.partial(self.evidence, acct, a, min(b, x + BOUND_S + 2), sub)))
                    break
            stats[inv][1] = max(stats[inv][1], worst)
        return fails, stats

    def check_lockouts_exist(self):
        """inv 2: lockouts the ground truth demands were journaled; open ones survived to the end."""
        r = self.r
        out = []
        jl = [j for j in self.journal if j["action"] == "lockout" and not j["dry_run"]]
        for acct in r.accounts:
            cum = 0
            for tr in self.trades:
                if tr["accountId"] != acct or tr.get("profitAndLoss") is None:
                    continue
                cum += cents(tr["profitAndLoss"])
                if cum <= -cents(self.limits[acct]["loss"]):
                    if not any(j["account_id"] == acct and j["rule"] == "RULE-003" for j in jl):
                        out.append(Failure("inv2", tr["t"], "account %d: realized %.2f reached -%.0f at the simulator "
                                           "(fill %d) but no RULE-003 lockout was journaled" % (
                                               acct, cum / 100, self.limits[acct]["loss"], tr["id"]),
                                           functools.partial(self.evidence, acct, tr["t"] - 3, tr["t"] + 3)))
                    break
        for c in r.admin_calls:
            if c["rc"] == 0 and not any(j["rule"] == "ENGINE" and c["reason"] in (j["reason"] or "") for j in jl):
                out.append(Failure("inv2", c["t"], "`srm admin lockout set %d --for %ds` succeeded but no lockout "
                                   "row was journaled" % (c["acct"], c["dur"])))
        # lockouts still in force at the end must be in the state file's lockouts table
        end_t = self.day.term_t
        wins = self.lockout_windows()
        table = self.day.dbdata.get("lockouts", [])
        for acct, ls in wins.items():
            for L in ls:
                if L["end"] <= end_t + 1.0:
                    continue
                rule = RULE_INDEX.get(L["rule"])
                ok = False
                for row in table:
                    if row["account_id"] != acct or row["rule"] != rule:
                        continue
                    if row["until_kind"] == 1:
                        ok = ok or r.ms_to_mono(row["until_ms"]) >= L["end"] - 0.01
                    else:
                        ok = True
                if not ok:
                    out.append(Failure("inv2", end_t, "account %d: lockout #%d %s (%s, until %s) still holds at the end "
                                       "but is not in the state file's lockouts table" % (
                                           acct, L["id"], L["rule"], L["reason"], L["until"])))
        return out

    def check_fills(self):
        """inv 3: every fill counted once."""
        r = self.r
        db = self.day.dbdata
        out = []
        fills = {f["id"]: f for f in db.get("fills", [])}
        sim = {t["id"]: t for t in self.trades}
        missing = [t for i, t in sim.items() if i not in fills]
        if missing:
            out.append(Failure("inv3", missing[0]["t"], "%d fill(s) at the simulator are not in the state file "
                               "(first: %s)" % (len(missing), ", ".join(
                                   "%d acct %d %s %s" % (t["id"], t["accountId"], SYM_OF.get(t["contractId"]), r.rel(t["t"]))
                                   for t in missing[:6])),
                               functools.partial(self.evidence, missing[0]["accountId"], missing[0]["t"] - 2, missing[0]["t"] + 2)))
        phantom = [f for i, f in fills.items() if i not in sim]
        if phantom:
            out.append(Failure("inv3", self.H, "%d fill(s) in the state file that the simulator never made: %s" % (
                len(phantom), [f["id"] for f in phantom[:10]])))
        bad = []
        for i, t in sim.items():
            f = fills.get(i)
            if f is None:
                continue
            want = (t["accountId"], t["contractId"], iso_ms(t["creationTimestamp"]), cents(t.get("profitAndLoss")),
                    cents(t["fees"]), int(bool(t.get("voided"))))
            got = (f["account_id"], f["contract_id"], f["at_ms"], f["pnl_cents"], f["fees_cents"], f["voided"])
            if want != got:
                bad.append("fill %d: simulator %s, state file %s" % (i, want, got))
        if bad:
            out.append(Failure("inv3", self.H, "%d fill(s) stored with other values: %s" % (len(bad), "; ".join(bad[:4]))))
        accts = {a["id"]: a for a in db.get("accounts", [])}
        clean_exit = self.r.primary.ended_by == "term" and self.r.primary.rc == 0
        status = {a["id"]: a for a in (self.day.status_end or {}).get("accounts", [])}
        for acct in r.accounts:
            ts = [t for t in self.trades if t["accountId"] == acct and not t.get("voided")]
            pnl = sum(cents(t.get("profitAndLoss")) for t in ts)
            fees = sum(cents(t["fees"]) for t in ts)
            mine = [f for f in fills.values() if f["account_id"] == acct and not f["voided"]]
            if acct in status:
                got = int(round(status[acct]["realizedPnl"] * 100))
                gfees = int(round(status[acct].get("fees", 0) * 100))
                if got != pnl or gfees != fees:
                    out.append(Failure("inv3", self.H, "account %d: `srm status` says realized %.2f fees %.2f, the "
                                       "simulator's fills sum to %.2f / %.2f" % (acct, got / 100, gfees / 100, pnl / 100,
                                                                                fees / 100)))
                n_trader = len([f for f in mine if not f.get("srm")])
                if status[acct].get("tradesToday") != n_trader:
                    out.append(Failure("inv3", self.H, "account %d: `srm status` says %s trades today, %d of the stored "
                                       "fills are the trader's (srm=0)" % (acct, status[acct].get("tradesToday"), n_trader)))
            if clean_exit and acct in accts:
                a = accts[acct]
                if a["realized_cents"] != pnl or a["fees_cents"] != fees:
                    out.append(Failure("inv3", self.H, "account %d: state file (accounts row, after a clean stop) "
                                       "realized %.2f fees %.2f, simulator %.2f / %.2f (a fill counted twice or not "
                                       "at all)" % (acct, a["realized_cents"] / 100, a["fees_cents"] / 100, pnl / 100,
                                                    fees / 100)))
                n_trader = len([f for f in mine if not f.get("srm")])
                if a["trades_session"] != n_trader:
                    out.append(Failure("inv3", self.H, "account %d: trades_session %d but %d of the stored fills are "
                                       "the trader's (srm=0)" % (acct, a["trades_session"], n_trader)))
            # information: srmd's guess of which fills are its own vs the ground truth
            wrong = [f["id"] for f in mine if f["id"] in sim and
                     bool(f.get("srm")) != (self.who(sim[f["id"]]) == "srm")]
            if wrong:
                r.info.append("account %d: %d fill(s) where fills.srm disagrees with who really sent the order "
                              "(heuristic by design, docs/DECISIONS.md): %s" % (acct, len(wrong), wrong[:8]))
        return out

    def match_journal(self, q):
        """The journal row covering an enforcement request, or None."""
        kind = ENF_PATHS[q["lpath"]]
        b = q["b"]
        acct = b.get("accountId")
        best = None
        for j in self.journal:
            if j["t"] > q["t"] + JOURNAL_SKEW_S:
                break
            if j["t"] < q["t"] - JOURNAL_MAX_AGE_S or j["account_id"] != acct or j["dry_run"]:
                continue
            a = j["action"]
            ok = False
            if kind == "close":
                ok = (a == "close_contract" and j["contract_id"] == b.get("contractId")) or a == "close_all"
            elif kind == "partial":
                ok = a == "partial_close" and j["contract_id"] == b.get("contractId") and j["size"] == b.get("size")
            elif kind == "cancel":
                ok = (a == "cancel_order" and j["order_id"] == b.get("orderId")) or a == "cancel_all"
            elif kind == "place":
                ok = a == "place_stop" and j["contract_id"] == b.get("contractId")
            elif kind == "modify":
                ok = a == "modify_stop" and j["order_id"] == b.get("orderId")
            if ok:
                best = j
        return best

    def check_journal(self):
        """inv 5: every enforcement request the simulator received has a journal row."""
        out = []
        enf = [q for q in self.reqs if q["kind"] == "rest" and q["lpath"] in ENF_PATHS]
        unmatched = [q for q in enf if self.match_journal(q) is None]
        if unmatched:
            q = unmatched[0]
            out.append(Failure("inv5", q["t"], "%d of %d enforcement request(s) at the simulator have no journal row; "
                               "first: %s" % (len(unmatched), len(enf), "; ".join(
                                   "seq %d %s %s %s -> %s" % (x["seq"], self.r.rel(x["t"]), x["path"],
                                                              json.dumps(x["b"], separators=(",", ":")), x["status"])
                                   for x in unmatched[:5])),
                               functools.partial(self.evidence, q["b"].get("accountId"), q["t"] - 2, q["t"] + 1)))
        # the other way: a row that says "ok" was really sent
        for j in self.journal:
            if j["outcome"] != "ok" or j["action"] not in ("close_contract", "partial_close", "cancel_order") or j["dry_run"]:
                continue
            if j["t"] > self.H:
                continue
            found = False
            for q in enf:
                if q["t"] < j["t"] - JOURNAL_SKEW_S or q["t"] > j["t"] + 30 or q["b"].get("accountId") != j["account_id"]:
                    continue
                k = ENF_PATHS[q["lpath"]]
                if j["action"] == "close_contract" and k == "close" and q["b"].get("contractId") == j["contract_id"]:
                    found = True
                elif j["action"] == "partial_close" and k == "partial" and q["b"].get("contractId") == j["contract_id"] \
                        and q["b"].get("size") == j["size"]:
                    found = True
                elif j["action"] == "cancel_order" and k == "cancel" and q["b"].get("orderId") == j["order_id"]:
                    found = True
                if found:
                    break
            if not found:
                out.append(Failure("inv5", j["t"], "journal row %d (%s %s %s, outcome ok) has no request at the "
                                   "simulator" % (j["id"], j["action"], j["contract_id"] or j["order_id"], j["rule"])))
                break
        return out

    def check_duplicates(self):
        """inv 4: no duplicate enforcement in flight."""
        r = self.r
        out = []
        # 4a: a fill of SRM's own order that takes a position through zero (or opens one)
        pos = {}
        hist = {}
        for tr in self.trades:
            k = (tr["accountId"], tr["contractId"])
            q0 = pos.get(k, 0)
            s = 1 if tr["side"] == 0 else -1
            q1 = q0 + s * tr["size"]
            pos[k] = q1
            hist.setdefault(k, []).append(tr)
            if self.who(tr) != "srm":
                continue
            if q0 == 0 or (q1 != 0 and sign(q1) != sign(q0)):
                o = self.orders.get(tr["orderId"])
                t_from = o["t_new"] if o else tr["t"] - 1
                raced = [x for x in hist[k] if x is not tr and self.who(x) != "srm" and t_from - 0.002 <= x["t"] <= tr["t"]]
                if raced:
                    r.info.append("account %d %s: SRM's fill %d %s the position (%d -> %d) after the trader's own "
                                  "fill %d raced its close (not counted)" % (
                                      k[0], SYM_OF.get(k[1]), tr["id"], "opened" if q0 == 0 else "flipped", q0, q1,
                                      raced[-1]["id"]))
                    continue
                out.append(Failure("inv4", tr["t"], "account %d %s: SRM's fill %d (order %d) %s the position: %d -> %d "
                                   "(SRM's closes together took more than there was)" % (
                                       k[0], SYM_OF.get(k[1]), tr["id"], tr["orderId"],
                                       "opened" if q0 == 0 else "flipped", q0, q1),
                                   functools.partial(self.evidence, k[0], t_from - 2, tr["t"] + 1, k[1])))
        # 4b: identical accepted enforcement requests close together, nothing in between to explain it
        enf = [q for q in self.reqs if q["kind"] == "rest" and q["lpath"] in ENF_PATHS and q["status"] == 200]
        trader_t = {}
        for tr in self.trades:
            if self.who(tr) != "srm":
                trader_t.setdefault(tr["accountId"], []).append(tr["t"])
        for oid, (acct, cid, ta, tb) in r.trader_orders.items():
            trader_t.setdefault(acct, []).append(ta)
        for v in trader_t.values():
            v.sort()
        last = {}
        n = 0
        for q in enf:
            key = (q["lpath"], json.dumps(q["b"], sort_keys=True))
            p = last.get(key)
            last[key] = q
            if p is None or q["t"] - p["t"] >= DUP_WINDOW_S:
                continue
            acct = q["b"].get("accountId")
            if any(p["t"] <= x <= q["t"] for x in trader_t.get(acct, [])):
                continue
            if self.excluded(q["t"]):
                continue
            j = self.match_journal(p)
            if j is not None and (j["outcome"] or "").startswith(("failed", "cancelled")):
                continue
            n += 1
            if n <= 3:
                out.append(Failure("inv4", q["t"], "the simulator received %s %s twice, %.0f ms apart (seq %d and %d), "
                                   "both accepted, with no trader action on the account in between%s" % (
                                       q["path"], json.dumps(q["b"], separators=(",", ":")), (q["t"] - p["t"]) * 1000,
                                       p["seq"], q["seq"], self.second_note(q["t"])),
                                   functools.partial(self.evidence, acct, p["t"] - 1, q["t"] + 1, q["b"].get("contractId"))))
        if n > 3:
            out.append(Failure("inv4", self.H, "... and %d more duplicate request pair(s)" % (n - 3)))
        return out

    def second_note(self, t):
        for pr in self.r.procs:
            if pr.role == "second" and pr.start_t <= t <= (pr.end_t or self.H):
                return " (a second srmd, #%d, was running then)" % pr.n
        return ""

    def check_deaths(self):
        """inv 6: srmd never died except by our kill."""
        out = []
        for pr in self.r.procs:
            log = tail(pr.logpath, 4000)
            san = [l for l in log.splitlines() if "AddressSanitizer" in l or "runtime error:" in l or
                   "LeakSanitizer" in l or "ThreadSanitizer" in l]
            if pr.ended_by == "self" and pr.role == "primary":
                lines = log.splitlines()
                cut = next((k for k, l in enumerate(lines) if l.startswith("==") and "ERROR" in l), len(lines))
                out.append(Failure("inv6", pr.end_t, "srmd #%d (pid %d) died by itself %s after its start: %s" % (
                    pr.n, pr.popen.pid, "%.1fs" % (pr.end_t - pr.start_t), rc_text(pr.rc)),
                    ["last log lines of srmd #%d before it died:" % pr.n] + ["  " + l for l in lines[max(0, cut - 12):cut]]))
            elif pr.ended_by == "term" and pr.role == "primary" and pr.rc != 0:
                out.append(Failure("inv6", pr.end_t, "srmd #%d did not stop cleanly on SIGTERM: %s%s" % (
                    pr.n, rc_text(pr.rc), " (hung: killed after 10 s)" if getattr(pr, "term_hung", False) else ""),
                    ["  " + l for l in tail(pr.logpath, 15).splitlines()]))
            elif pr.role == "second" and pr.ended_by == "self" and pr.rc is not None and pr.rc < 0:
                out.append(Failure("inv6", pr.end_t, "second srmd #%d crashed: %s" % (pr.n, rc_text(pr.rc)),
                                   ["  " + l for l in tail(pr.logpath, 15).splitlines()]))
            if san:
                lines = log.splitlines()
                i = next(k for k, l in enumerate(lines) if l == san[0])
                stack = [l for l in lines[i:i + 40] if l.strip().startswith(("#", "==", "SUMMARY", "READ", "WRITE",
                                                                           "freed", "previously")) or
                         (l.startswith("0x") and "is located" in l)]
                out.append(Failure("inv6", pr.end_t or self.H, "srmd #%d: sanitizer report: %s" % (pr.n, san[0].strip()),
                                   ["  " + l for l in stack[:24]]))
        return out

    def check_second(self):
        """A second srmd on the same state dir exits non-zero at once; the first keeps guarding."""
        out = []
        if not self.r.seconds:
            self.r.info.append("no second srmd was started this seed (a short day): that check was not exercised")
        for rec in self.r.seconds:
            s = rec["proc"]
            if not rec["exited"]:
                reqs = [q for q in self.reqs if q["kind"] == "rest" and s.start_t <= q["t"] <= (s.end_t or self.H)]
                enf = [q for q in reqs if q["lpath"] in ENF_PATHS]
                out.append(Failure("second", rec["t"] + SECOND_EXIT_S, "a second srmd (#%d) on the same state dir "
                                   "was still running %.0fs after its start (it should exit non-zero at once, naming "
                                   "the holder); while both ran the simulator got %d requests, %d of them enforcement" % (
                                       s.n, SECOND_EXIT_S, len(reqs), len(enf)),
                                   ["log of srmd #%d:" % s.n] + ["  " + l for l in tail(s.logpath, 12).splitlines()]))
            elif rec["rc"] == 0:
                out.append(Failure("second", rec["t"], "the second srmd (#%d) exited with status 0 (want non-zero)" % s.n))
            first = [pr for pr in self.r.procs if pr.role == "primary" and pr.start_t < s.start_t]
            first = first[-1] if first else None
            if first is not None and first.ended_by == "self" and first.end_t is not None and \
                    first.end_t <= (s.end_t or self.H) + 1.0:
                self.r.info.append("the first srmd (#%d) died while the second (#%d) ran (see inv6)" % (first.n, s.n))
            elif rec.get("primary_phase") is None:
                out.append(Failure("second", rec["t"], "after the second srmd (#%d) the first no longer answers on its "
                                   "socket (alive %s)" % (s.n, rec.get("primary_alive"))))
        return out

    def check_guarding(self):
        """'guarding' means reconciled: every account's searches answered 200 since that srmd started."""
        r = self.r
        out = []
        n = 0
        for pr in r.procs:
            if pr.role != "primary":
                continue
            n += 1
            end = pr.end_t or self.H
            polls = [p for p in r.polls if p[2] == "guarding" and pr.start_t < p[0] and p[1] <= end]
            if not polls:
                continue
            t_recv = polls[0][1]
            win = [q for q in self.reqs if q["kind"] == "rest" and pr.start_t < q["t"] < t_recv and q["status"] == 200]
            missing = []
            if not any(q["lpath"] == "/api/account/search" for q in win):
                missing.append("Account/search")
            for acct in r.accounts:
                for path in ("/api/position/searchopen", "/api/order/searchopen", "/api/trade/search"):
                    if not any(q["lpath"] == path and q["b"].get("accountId") == acct for q in win):
                        missing.append("%s(%d)" % (path[5:], acct))
            if missing:
                failed = [q for q in self.reqs if q["kind"] == "rest" and pr.start_t < q["t"] < t_recv and q["status"] != 200]
                out.append(Failure("guarding", t_recv, "srmd #%d said `guarding` at %s, %.1fs after its start, but the "
                                   "simulator had not answered %s since it started" % (
                                       pr.n, r.rel(t_recv), t_recv - pr.start_t, ", ".join(missing[:6])),
                                   ["requests refused meanwhile: " + ", ".join(
                                       "%s %s->%s" % (r.rel(q["t"]), q["path"], q["status"]) for q in failed[:8])]))
        return out

    def check_cli(self):
        """The CLI answers while hostile clients hold half requests open."""
        out = []
        if not self.r.cli_checks:
            self.r.info.append("no half-request attack this seed: the CLI check was not exercised")
        for rec in self.r.cli_checks:
            down = any(k in ("kill9", "sigstop", "death") and a < rec["t_end"] and b > rec["t"] for a, b, k, _ in self.excl)
            pr = rec["proc"]
            if down or pr is None or (pr.end_t is not None and pr.end_t < rec["t_end"]):
                self.r.info.append("cli check at %s inconclusive (srmd was stopped or restarted meanwhile)" % self.r.rel(rec["t"]))
                continue
            if rec["answered_at"] is None:
                last = rec["attempts"][-1] if rec["attempts"] else (None, None, "")
                out.append(Failure("cli", rec["t"] + CLI_BOUND_S, "`srm status` got no answer within %.0fs while %d "
                                   "connections held half a request (last try: %s %s)" % (
                                       CLI_BOUND_S, rec["n"], rc_text(last[1]), last[2])))
            rc, err = rec.get("after", (None, ""))
            if rc != 0:
                out.append(Failure("cli", rec["t_end"], "`srm status` failed after the hostile clients hung up: %s %s" % (
                    rc_text(rc), err)))
        return out

    def check_rate(self):
        """The gateway's own limit (200 requests / 60 s) never answers 429: the chaos day's own
        request volume stays well under it, so a 429 from it means srmd wasted its budget."""
        if not self.limiter:
            return []
        q0 = self.limiter[0]
        rest = [q for q in self.reqs if q["kind"] == "rest" and q0["t"] - 60.0 <= q["t"] <= q0["t"]]
        hist = {}
        for q in rest:
            hist[q["path"]] = hist.get(q["path"], 0) + 1
        procs = [pr for pr in self.r.procs if pr.start_t <= q0["t"] and (pr.end_t or self.H) >= q0["t"] - 60.0]
        return [Failure("rate", q0["t"], "the gateway's own rate limit answered 429 %d time(s), first at %s: %d /api "
                        "requests in the 60 s before it (%s); srmd processes in that minute: %s" % (
                            len(self.limiter), self.r.rel(q0["t"]), len(rest),
                            ", ".join("%s %d" % (k[5:], v) for k, v in sorted(hist.items(), key=lambda x: -x[1])[:8]),
                            ", ".join("#%d (%s, %s..%s)" % (pr.n, pr.role, self.r.rel(pr.start_t), self.r.rel(pr.end_t))
                                      for pr in procs)))]

    def check_self(self):
        """The harness's own consistency: sampled positions agree with positions replayed from the fills."""
        per = {}
        for tr in self.trades:
            per.setdefault((tr["accountId"], tr["contractId"]), []).append(tr)
        cum = {}
        for k, ts in per.items():
            q = 0
            c = []
            for tr in ts:
                q += (1 if tr["side"] == 0 else -1) * tr["size"]
                c.append((tr["t"], q))
            cum[k] = c

        def at(k, t):
            v = 0
            for x, q in cum.get(k, []):
                if x <= t:
                    v = q
                else:
                    break
            return v
        bad = []
        for ta, tb, pos in self.r.samples[::3]:
            keys = set(pos) | {k for k in cum}
            for k in keys:
                got = pos.get(k, 0)
                if got == at(k, ta) or got == at(k, tb):
                    continue
                if any(ta - 0.02 <= x <= tb + 0.02 for x, _ in cum.get(k, [])):
                    continue
                bad.append("%s sample %s: %s %d, replay %d" % (self.r.rel(ta), k, SYM_OF.get(k[1]), got, at(k, ta)))
        if bad:
            return [Failure("harness", self.H, "positions replayed from the fills disagree with %d sample(s): %s" % (
                len(bad), "; ".join(bad[:4])))]
        return []

    # ---- evidence ----
    def evidence(self, acct, a, b, sub=None):
        r = self.r
        ev = []
        wins = [w for w in self.excl if w[0] < b + 10 and w[1] > a - 10]
        ev.append("fault windows nearby (excluded, grace included): " + ("; ".join(
            "%s..%s %s %s" % (r.rel(x), r.rel(y), k, d) for x, y, k, d in wins[:8]) or "none"))
        trs = [t for t in self.trades if t["accountId"] == acct and a - 2 <= t["t"] <= b + 1]
        for t in trs[-12:]:
            ev.append("fill  %s id %d %s %s%d @ %s pnl %s by %s (order %d)" % (
                r.rel(t["t"]), t["id"], SYM_OF.get(t["contractId"]), "+" if t["side"] == 0 else "-", t["size"],
                t["price"], t.get("profitAndLoss"), self.who(t), t["orderId"]))
        js = [j for j in self.journal if j["account_id"] == acct and a - 2 <= j["t"] <= b + 1 and j["action"] != "reconcile"]
        for j in js[-12:]:
            ev.append("journal %s #%d %s %s %s%s%s -> %s (%s)" % (
                r.rel(j["t"]), j["id"], j["rule"], j["action"], j["contract_id"] or "",
                (" order %d" % j["order_id"]) if j["order_id"] else "", (" size %d" % j["size"]) if j["size"] else "",
                j["outcome"], (j["reason"] or "")[:70]))
        qs = [q for q in self.reqs if q["kind"] == "rest" and a - 1 <= q["t"] <= b + 1 and
              (q["b"].get("accountId") == acct or q["lpath"] in ("/api/auth/loginkey", "/api/account/search"))]
        for q in qs[-12:]:
            ev.append("request %s seq %d %s %s -> %d" % (r.rel(q["t"]), q["seq"], q["path"],
                                                         json.dumps(q["b"], separators=(",", ":"))[:90], q["status"]))
        for pr in r.procs:
            if pr.start_t > b + 1 or (pr.end_t is not None and pr.end_t < a - 1):
                continue
            lines = []
            for l in tail(pr.logpath, 100000).splitlines():
                if "level=warn" not in l and "level=error" not in l:
                    continue
                try:
                    ts = iso_ms(l.split()[0][3:])
                except Exception:
                    continue
                t = r.ms_to_mono(ts)
                if a - 1 <= t <= b + 1:
                    lines.append("srmd#%d %s %s" % (pr.n, r.rel(t), l.split(" ", 1)[1][:150]))
            ev.extend(lines[-8:])
        return ev

    def dump(self):
        """Everything the analysis saw, for a post-mortem (kept with the work dir on failure)."""
        r = self.r
        with open(os.path.join(r.work, "timeline.txt"), "w") as f:
            for t, text in sorted(r.timeline):
                f.write("%s %s %s\n" % (r.rel(t), r.wall_iso(t), text))
            for a, b, k, d in self.excl:
                f.write("excluded %s..%s %s %s\n" % (r.rel(a), r.rel(b), k, d))
        with open(os.path.join(r.work, "breaches.txt"), "w") as f:
            for (inv, kind, sub), acct, a, b, det in sorted(self.breaches, key=lambda x: x[2]):
                worst = max([y - x for x, y in self.clean_pieces(a, b)] or [0.0])
                f.write("%s %s..%s (%.3fs, clean stretch %.3fs) %s %s acct %d %s: %s\n" % (
                    inv, r.rel(a), r.rel(b), b - a, worst, kind, sub, acct, "", det))
        with open(os.path.join(r.work, "requests.txt"), "w") as f:
            for q in self.reqs:
                f.write("%s seq %d %s %s %s -> %s\n" % (r.rel(q["t"]), q["seq"], q["kind"], q.get("path") or q.get("target"),
                                                     json.dumps(q.get("body", q.get("arguments")), separators=(",", ":"))[:160],
                                                     q["status"]))
        with open(os.path.join(r.work, "polls.txt"), "w") as f:
            for ta, tb, ph in r.polls:
                f.write("%s %s %s\n" % (r.rel(ta), r.rel(tb), ph))

    def top_breaches(self, n=5):
        out = []
        for (inv, kind, sub), acct, a, b, det in self.breaches:
            worst = max([y - x for x, y in self.clean_pieces(a, b)] or [0.0])
            out.append((worst, inv, kind, acct, a, b, det))
        out.sort(reverse=True)
        return ["%s %s acct %d %s..%s: longest clean stretch %.2fs: %s" % (
            inv, kind, acct, self.r.rel(a), self.r.rel(b), w, det) for w, inv, kind, acct, a, b, det in out[:n]]

    def run_checks(self):
        self.sweep()
        results = []
        bfails, self.bstats = self.check_bounds()
        inv2 = bfails["inv2"] + self.check_lockouts_exist()
        results.append(("inv1 no flattening breach outlasts %.0fs of clean time" % BOUND_S, bfails["inv1"]))
        results.append(("inv2 every lockout stays in force until its end", inv2))
        results.append(("inv3 every fill counted once", self.check_fills()))
        results.append(("inv4 no duplicate enforcement in flight", self.check_duplicates()))
        results.append(("inv5 every enforcement request has a journal row", self.check_journal()))
        results.append(("inv6 srmd never died except by our kill", self.check_deaths()))
        results.append(("second srmd on the same state dir exits non-zero at once", self.check_second()))
        results.append(("`guarding` only after a reconcile of every account", self.check_guarding()))
        results.append(("CLI answers beside hostile clients", self.check_cli()))
        results.append(("srmd stays within the gateway's rate limit", self.check_rate()))
        results.append(("harness self-check (replay vs samples)", self.check_self()))
        return results


def merge(iv):
    out = []
    for a, b in sorted(iv):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def fmt_pos(pos):
    return ", ".join("%s %+d" % (SYM_OF.get(c, c), q) for c, q in sorted(pos.items()) if q != 0) or "flat"


# =============================================================================================
# main
# =============================================================================================

RUNNING = []     # the run in progress, for the exit hook


def one_seed(opts, seed, duration, mode):
    run = Run(opts, seed, duration, mode)
    RUNNING[:] = [run]
    print("chaos: seed %d, %s mode, %.0fs day, %d accounts, work dir %s" % (seed, mode, duration, opts.accounts, run.work),
          flush=True)
    day = Day(run)
    for i, l in enumerate(day.describe()):
        if opts.verbose or i == 0:
            print(l)
    results = []
    crashed = None
    try:
        day.run()
    except Exception:
        crashed = traceback.format_exc()
    finally:
        run.stop.set()
        run.kill_all()
    if crashed:
        print("chaos: seed %d: the harness could not complete the day:\n%s" % (seed, crashed), flush=True)
        for pr in run.procs[-2:]:
            print("  log of srmd #%d:\n%s" % (pr.n, "\n".join("    " + l for l in tail(pr.logpath, 20).splitlines())))
        results = [("day completed", [Failure("harness", run.now(), "harness error (see above)")])]
    else:
        an = Analysis(run, day)
        results = an.run_checks()
        try:
            an.dump()
        except Exception as e:
            run.info.append("dump failed: %s" % e)
        if opts.verbose:
            for l in an.top_breaches():
                print("  longest: " + l)
        print("chaos: seed %d: %d fills, %d orders, %d requests at the simulator, %d journal rows, %d srmd processes; "
              "clean time %.0fs of %.0fs; breaches seen: inv1 %d (longest clean stretch %.1fs), inv2 %d (%.1fs)" % (
                  seed, len(an.trades), len(an.orders), len(an.reqs), len(an.journal), len(run.procs),
                  an.clean_total(), an.H - an.day0, an.bstats["inv1"][0], an.bstats["inv1"][1],
                  an.bstats["inv2"][0], an.bstats["inv2"][1]))
        rest = [q for q in an.reqs if q["kind"] == "rest"]
        peak, at = peak_rate([q["t"] for q in rest], 60.0)
        hist = {}
        for q in rest:
            if at - 60.0 <= q["t"] <= at:
                hist[q["path"]] = hist.get(q["path"], 0) + 1
        run.info.append("peak /api requests in any 60 s: %d (the gateway allows 200), in the 60 s to %s: %s" % (
            peak, run.rel(at), ", ".join("%s %d" % (k[5:], v) for k, v in sorted(hist.items(), key=lambda x: -x[1])[:6])))
        if day.dbdata.get("integrity") != "ok":
            results.append(("state file integrity", [Failure("inv3", an.H, "PRAGMA integrity_check: %s" % day.dbdata.get("integrity"))]))
    passed = failed = 0
    for name, fails in results:
        if fails:
            failed += 1
            print("FAIL %s  [seed %d]" % (name, seed))
            kinds = {}
            for f in fails:
                k = f.msg.split(" ", 1)[0] if f.check in ("inv1", "inv2") else f.check
                kinds[k] = kinds.get(k, 0) + 1
            if len(fails) > 1:
                print("     %d failure(s): %s" % (len(fails), ", ".join("%s x%d" % kv for kv in sorted(kinds.items()))))
            for f in fails[:6]:
                print("     at %s (%s): %s" % (run.rel(f.t), run.wall_iso(f.t), f.msg))
                for e in f.evidence[:40]:
                    print("       " + e)
            if len(fails) > 6:
                print("     ... %d more" % (len(fails) - 6))
        else:
            passed += 1
            print("ok   %s" % name)
    for i in run.info:
        print("note %s" % i)
    keep = os.environ.get("KEEP")
    if keep == "1" or (keep != "0" and failed):
        print("chaos: seed %d: %s; work dir kept: %s (rerun: --seed %d)" % (seed, "FAILED" if failed else "passed", run.work, seed))
    else:
        import shutil
        shutil.rmtree(run.work, ignore_errors=True)
    return passed, failed


def peak_rate(ts, w):
    ts = sorted(ts)
    best, at = 0, 0.0
    j = 0
    for i in range(len(ts)):
        while ts[i] - ts[j] > w:
            j += 1
        if i - j + 1 > best:
            best, at = i - j + 1, ts[i]
    return best, at


def main():
    ap = argparse.ArgumentParser(description="SRM chaos day")
    ap.add_argument("--srmd", required=True)
    ap.add_argument("--srm", required=True)
    ap.add_argument("--sim", required=True)
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--short", action="store_true", help="one seed, ~95 s day (make test)")
    g.add_argument("--long", action="store_true", help="several seeds, several minutes each (make chaos)")
    ap.add_argument("--seed", type=int)
    ap.add_argument("--seeds", help='e.g. "1 2 3" or "1-20"')
    ap.add_argument("--duration", type=float)
    ap.add_argument("--accounts", type=int, default=3)
    ap.add_argument("--no-rate-limit", action="store_true")
    ap.add_argument("--verbose", "-v", action="store_true")
    o = ap.parse_args()
    mode = "long" if o.long else "short"
    if o.seeds or os.environ.get("CHAOS_SEEDS"):
        spec = o.seeds or os.environ["CHAOS_SEEDS"]
        seeds = []
        for part in spec.replace(",", " ").split():
            if "-" in part:
                a, b = part.split("-", 1)
                seeds.extend(range(int(a), int(b) + 1))
            else:
                seeds.append(int(part))
    elif o.seed is not None or os.environ.get("CHAOS_SEED"):
        seeds = [o.seed if o.seed is not None else int(os.environ["CHAOS_SEED"])]
    elif mode == "long":
        seeds = [random.SystemRandom().randrange(1, 1 << 31) for _ in range(5)]
    else:
        seeds = [20261202]
    duration = o.duration or float(os.environ.get("CHAOS_DURATION", 0)) or (300.0 if mode == "long" else 95.0)
    for p in (o.srmd, o.srm, o.sim):
        if not os.access(p, os.X_OK):
            print("chaos: %s is not executable (build first: make build)" % p)
            print("chaos: 0 passed, 1 failed")
            return 1

    def on_signal(signum, frame):
        raise KeyboardInterrupt
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)
    atexit.register(lambda: [r.kill_all() for r in RUNNING])
    print("chaos: seeds %s" % " ".join(map(str, seeds)), flush=True)
    tp = tf = 0
    failed_seeds = []
    try:
        for s in seeds:
            p, f = one_seed(o, s, duration, mode)
            tp += p
            tf += f
            if f:
                failed_seeds.append(s)
    except KeyboardInterrupt:
        print("chaos: interrupted")
        tf += 1
    if failed_seeds:
        print("chaos: failed seeds: %s (reproduce one: --seed N%s)" % (
            " ".join(map(str, failed_seeds)), " --long" if mode == "long" else ""))
    print("chaos: %d passed, %d failed" % (tp, tf))
    return 0 if tf == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""ipcpeer.py: hostile and ordinary raw clients of srmd's Unix socket, for the e2e tests.

usage: ipcpeer.py SOCKET MODE [ARGS...]
  hangup-auth N        N connections: a wrong `auth`, then hang up at once (during the
                       refusal delay); prints "done"
  guess N PASSWORD     N connections one after another, each one `auth` with PASSWORD;
                       prints the reply codes, one per line ("ok" for success)
  half N SECONDS       N connections each send half a request and wait up to SECONDS for the
                       server to close them; prints "closed K of N" and "first_close_s S"
  hold N SECONDS       N connections that send nothing; prints how many were closed by the
                       server within SECONDS ("closed K of N")
  limit-then PASSWORD  wrong guesses until srmd says the next attempt must wait, then
                       PASSWORD at once; prints the code of that last reply
  call CMD [JSON]      one request, prints the reply line
  subscribe SECONDS    subscribe and stay; prints "alive" if the connection is still open at
                       the end, else "closed"
"""
import json
import socket
import sys
import time


def conn(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)  # blocking: waits while the listen backlog is full
    s.settimeout(10)
    return s


def read_line(s, timeout=10):
    s.settimeout(timeout)
    buf = b""
    while not buf.endswith(b"\n"):
        try:
            b = s.recv(65536)
        except (socket.timeout, ConnectionResetError):
            return None
        if not b:
            return None
        buf += b
    return buf.decode().splitlines()[0]


def main():
    path, mode, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    if mode == "hangup-auth":
        for _ in range(int(args[0])):
            s = conn(path)
            s.sendall(b'{"id":1,"cmd":"auth","args":{"password":"wrong"}}\n')
            s.close()
        print("done")
    elif mode == "guess":
        for _ in range(int(args[0])):
            s = conn(path)
            req = {"id": 7, "cmd": "auth", "args": {"password": args[1]}}
            s.sendall((json.dumps(req) + "\n").encode())
            line = read_line(s, 120)
            s.close()
            if line is None:
                print("closed")
                continue
            r = json.loads(line)
            print("ok" if r.get("ok") else r["error"]["code"])
    elif mode == "limit-then":
        for _ in range(30):
            s = conn(path)
            s.sendall(b'{"id":7,"cmd":"auth","args":{"password":"wrong"}}\n')
            line = read_line(s, 120)
            s.close()
            if line and "next attempt is checked in" in line:
                break
        else:
            sys.exit("never limited")
        s = conn(path)
        req = {"id": 8, "cmd": "auth", "args": {"password": args[0]}}
        s.sendall((json.dumps(req) + "\n").encode())
        r = json.loads(read_line(s, 120))
        print("ok" if r.get("ok") else r["error"]["code"] + ": " + r["error"]["message"])
    elif mode in ("half", "hold"):
        n, secs = int(args[0]), float(args[1])
        socks = []
        for _ in range(n):
            try:
                s = conn(path)
            except OSError:
                break
            if mode == "half":
                s.sendall(b'{"id":1,"cmd":"sta')
            s.setblocking(False)
            socks.append(s)
        t0 = time.time()
        closed, first = set(), None
        while time.time() - t0 < secs and len(closed) < len(socks):
            for i, s in enumerate(socks):
                if i in closed:
                    continue
                try:
                    b = s.recv(65536)
                    if b == b"":
                        closed.add(i)
                    elif b"timeout" in b or b"evicted" in b:
                        closed.add(i)
                except BlockingIOError:
                    continue
                except OSError:
                    closed.add(i)
                if i in closed and first is None:
                    first = time.time() - t0
            time.sleep(0.05)
        print("closed %d of %d" % (len(closed), n))
        print("first_close_s %.2f" % (first if first is not None else -1))
    elif mode == "call":
        s = conn(path)
        req = {"id": 1, "cmd": args[0]}
        if len(args) > 1:
            req["args"] = json.loads(args[1])
        s.sendall((json.dumps(req) + "\n").encode())
        print(read_line(s) or "closed")
    elif mode == "subscribe":
        s = conn(path)
        s.sendall(b'{"id":1,"cmd":"subscribe"}\n')
        read_line(s)
        end = time.time() + float(args[0])
        alive = True
        s.setblocking(False)
        while time.time() < end:
            try:
                b = s.recv(65536)
                if b == b"":
                    alive = False
                    break
            except BlockingIOError:
                pass
            except OSError:
                alive = False
                break
            time.sleep(0.05)
        print("alive" if alive else "closed")
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main()

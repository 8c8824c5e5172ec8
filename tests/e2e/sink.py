#!/usr/bin/env python3
"""sink.py: a local HTTP server that records every request (the alert tests' receiver).

usage: sink.py DIR   -> prints its port on the first line; appends one JSON line per request
to DIR/requests.jsonl ({"t", "method", "path", "headers", "body"}); answers 500 while the
file DIR/fail exists and hangs 15 s while DIR/hang exists, else 200.
"""
import http.server
import json
import os
import sys
import threading
import time

DIR = sys.argv[1]
LOCK = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    def _handle(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode("utf-8", "replace") if n else ""
        rec = {"t": time.time(), "method": self.command, "path": self.path,
               "headers": {k: v for k, v in self.headers.items()}, "body": body}
        with LOCK, open(os.path.join(DIR, "requests.jsonl"), "a") as f:
            f.write(json.dumps(rec) + "\n")
        if os.path.exists(os.path.join(DIR, "hang")):
            time.sleep(15)
        status = 500 if os.path.exists(os.path.join(DIR, "fail")) else 200
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    do_GET = do_POST = do_PUT = _handle

    def log_message(self, *args):
        pass


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(srv.server_address[1], flush=True)
srv.serve_forever()

#!/usr/bin/env python3
"""A LibreTranslate-protocol server with a fixed latency per request, for the cluster
benchmark (scripts/bench-cluster.sh): /languages says id→en, /translate answers every `q`
after LATENCY seconds. Counts requests in COUNT_FILE (one line per request).

usage: bench-translator.py PORT LATENCY COUNT_FILE
"""
import json
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, LATENCY, COUNT_FILE = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        # One segment per answer: without this, Nagle's algorithm and delayed ACKs add
        # about 40 ms to every request.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, *args):
        pass

    def reply(self, body):
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.reply([{"code": "id", "name": "Indonesian", "targets": ["en"]},
                    {"code": "en", "name": "English", "targets": ["id"]}])

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        request = json.loads(self.rfile.read(length) or b"{}")
        time.sleep(LATENCY)
        with LOCK, open(COUNT_FILE, "a") as f:
            f.write(f"{len(request.get('q', []))}\n")
        self.reply({"translatedText": ["EN " + q for q in request.get("q", [])]})


ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()

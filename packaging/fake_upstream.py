#!/usr/bin/env python3
"""Minimal stand-in for api.anthropic.com used by build-and-smoke.sh: answers POST /v1/messages with a fixed
non-streaming Messages response naming the requested model, and 404 JSON for anything else.
Usage: fake_upstream.py PORT   (serves on 127.0.0.1 until killed)"""
import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

REPLY_TEXT = "Hello from the fake upstream."


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", "0") or 0))
        if self.path.split("?")[0] != "/v1/messages":
            self._send(404, {"type": "error", "error": {"type": "not_found_error", "message": self.path}})
            return
        request = json.loads(body or b"{}")
        self._send(200, {
            "id": "msg_smoke_0001", "type": "message", "role": "assistant",
            "model": request.get("model", "claude-haiku-4-5"),
            "content": [{"type": "text", "text": REPLY_TEXT}],
            "stop_reason": "end_turn", "stop_sequence": None,
            "usage": {"input_tokens": 12, "output_tokens": 8},
        })

    def _send(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("request-id", "req_smoke_0001")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()

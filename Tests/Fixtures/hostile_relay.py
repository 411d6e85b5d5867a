# SPDX-License-Identifier: AGPL-3.0-or-later
# A hostile relay for tests, on loopback: passes every request through to the real relay on the
# port given, except what its mode changes:
#   replay-fetch   once one mailbox fetch has answered envelopes, that fetch and every later one
#                  answers a full page (as many as asked) of the same envelopes again, their
#                  sequence numbers raised each time, so the mailbox never looks empty (a short
#                  page would tell the client it is); counts the fetches in the file named by the
#                  third argument.
#   corrupt-chunk  flips one byte in the first attachment chunk it passes back (a bad link), and
#                  counts the chunks it corrupted (one) in that file.
#   forged-proof   alters the proof of the first deposit receipt signed together (SPEC.md §8.4.1)
#                  that it passes back: one bit of its salt, so the proof no longer leads to the
#                  signed root; counts the receipts it altered (one) in that file.
#   frozen         while the file named by the third argument holds a seizure order (base64url),
#                  answers every mailbox fetch and wait 403 mailbox_frozen with that order, as a relay does
#                  for a frozen mailbox (SPEC.md §8.8) or as a lying one might.
# Prints its port, then serves until killed.
import base64, signal, http.client, http.server, json, sys, threading

# The test runner starts this from a thread with signals blocked, and a child inherits its mask:
# without this, the test's terminate() (SIGTERM) does nothing and the fixture outlives the test.
signal.pthread_sigmask(signal.SIG_SETMASK, [])

target_port, mode, counter = int(sys.argv[1]), sys.argv[2], sys.argv[3]
state = {"page": None, "sequence": 1_000_000, "fetches": 0}
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def forward(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        is_fetch = mode == "replay-fetch" and self.command == "POST" and self.path.endswith("/fetch")
        is_chunk = mode == "corrupt-chunk" and self.command == "GET" and "/chunks/" in self.path
        if mode == "frozen" and self.command == "POST" and self.path.endswith(("/fetch", "/wait")):
            try:
                with open(counter) as f:
                    order = f.read().strip()
            except FileNotFoundError:
                order = ""
            if order:
                answer = json.dumps({"error": "mailbox_frozen", "order": order}).encode()
                self.send_response(403)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)
                return
        with lock:
            if is_fetch:
                state["fetches"] += 1
                with open(counter, "w") as f:
                    f.write(str(state["fetches"]))
            page = state["page"] if is_fetch else None
        if page is not None:
            with lock:
                for envelope in page["envelopes"]:
                    state["sequence"] += 1
                    envelope["sequence"] = state["sequence"]
                answer = json.dumps(page).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)
            return
        upstream = http.client.HTTPConnection("127.0.0.1", target_port, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        upstream.request(self.command, self.path, body=body, headers=headers)
        response = upstream.getresponse()
        answer = response.read()
        if is_fetch and response.status == 200:
            page = json.loads(answer)
            if page.get("envelopes"):
                limit = json.loads(body or b"{}").get("limit", 100)
                with lock:
                    real = page["envelopes"]
                    page["envelopes"] = [dict(real[i % len(real)]) for i in range(limit)]
                    for envelope in page["envelopes"]:
                        state["sequence"] += 1
                        envelope["sequence"] = state["sequence"]
                    state["page"] = page
                    answer = json.dumps(page).encode()
        if mode == "forged-proof" and self.command == "PUT" and self.path.endswith("/envelopes") \
                and response.status == 201:
            receipt = json.loads(answer)
            with lock:
                if "proof" in receipt and not state.get("forged"):
                    state["forged"] = True
                    text = receipt["proof"]
                    proof = bytearray(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
                    proof[2] ^= 0x01  # the salt's first byte (after the version and the index)
                    receipt["proof"] = base64.urlsafe_b64encode(bytes(proof)).decode().rstrip("=")
                    answer = json.dumps(receipt).encode()
                    with open(counter, "w") as f:
                        f.write("1")
        if is_chunk and response.status == 200 and answer:
            with lock:
                if not state.get("corrupted"):
                    state["corrupted"] = True
                    answer = bytes([answer[0] ^ 0x01]) + answer[1:]
                    with open(counter, "w") as f:
                        f.write("1")
        self.send_response(response.status)
        for key, value in response.getheaders():
            if key.lower() not in ("content-length", "connection", "transfer-encoding", "date", "server"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)
        upstream.close()

    do_GET = do_POST = do_PUT = do_DELETE = forward


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()

# SPDX-License-Identifier: AGPL-3.0-or-later
# Shell helpers the relay benchmarks share (sourced by Benchmarks/relay-load and
# Benchmarks/relay-instances): loopback ports, an organisation root key, relay limits out of the
# way, waiting for a relay, reading wrk's LOAD line.

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Sets `seed` (hex) and `root` (the Ed25519 public key of that seed, base64url), deriving the key
# with OpenSSL from a PKCS#8 wrapper of the seed.
make_root() {
    seed="$(python3 -c 'import os; print(os.urandom(32).hex())')"
    root="$(python3 - "$seed" <<'PY'
import sys, subprocess, base64
seed = bytes.fromhex(sys.argv[1])
der = bytes.fromhex("302e020100300506032b657004220420") + seed
public = subprocess.run(["openssl", "pkey", "-inform", "DER", "-pubout", "-outform", "DER"], input=der,
                        capture_output=True, check=True).stdout[-32:]
print(base64.urlsafe_b64encode(public).decode().rstrip("="))
PY
)"
}

# Every rate limit and quota out of the way: the benchmarks measure the store, not the limits.
unlimited=(--limit globalPerSecond=1000000 --limit globalBurst=10000000 --limit contactPerSecond=100000
    --limit contactBurst=1000000 --limit ownerPerSecond=100000 --limit ownerBurst=1000000
    --limit mailboxEnvelopes=1000000 --limit mailboxBytes=1099511627776 --limit waiters=1000000)

# wait_healthy URL LOG: waits up to 40 s for /healthz, printing LOG and failing otherwise.
wait_healthy() {
    for _ in $(seq 400); do curl -fsS "$1/healthz" >/dev/null 2>&1 && return 0; sleep 0.1; done
    cat "$2" >&2
    return 1
}

# load_field LINE NAME: a field of wrk's LOAD line (rate, p50_ms, p99_ms, non201, wrapped).
load_field() { sed -E "s/.* $2=([0-9.]+).*/\1/" <<<"$1"; }

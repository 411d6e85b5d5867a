#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""vodozemac's Olm (the Matrix Double Ratchet, in Rust) on the same work as ProtocolBenchmarks'
ratchet: a 1 KiB message encrypted by one side and decrypted by the other, on an established
session, either always in the same direction or reversing every message (a DH step each time).

Prints one JSON object: {"same direction": NS, "alternating direction": NS}, each the median over
samples of 1,000 messages of the time per message in nanoseconds. scripts/benchmark-anchors runs
it in the same invocation as ProtocolBenchmarks (issue #23). The bindings (PyPI `vodozemac`) add a
call from Python per operation, well under a microsecond; the figures are Olm's plus that.
"""
import json
import os
import statistics
import sys
import time

import vodozemac

MESSAGE = os.urandom(1024)
SAMPLE = 1000


def conversation():
    """Alice and Bob with a session each, after a pre-key message and a reply (as ours starts)."""
    alice, bob = vodozemac.Account(), vodozemac.Account()
    bob.generate_one_time_keys(1)
    one_time_key = next(iter(bob.one_time_keys.values()))
    alice_session = alice.create_outbound_session(bob.curve25519_key, one_time_key)
    first = alice_session.encrypt(b"\x00")
    bob_session, _ = bob.create_inbound_session(alice.curve25519_key, first.to_pre_key())
    alice_session.decrypt(bob_session.encrypt(b"\x01"))
    return alice_session, bob_session


def measure(alternating, seconds):
    alice, bob = conversation()
    # Alice's first message after Bob's reply starts her new chain: keep it out, as ours does.
    bob.decrypt(alice.encrypt(MESSAGE))
    samples = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline or len(samples) < 5:
        start = time.perf_counter_ns()
        if alternating:
            for index in range(SAMPLE):
                sender, receiver = (alice, bob) if index % 2 == 0 else (bob, alice)
                receiver.decrypt(sender.encrypt(MESSAGE))
        else:
            for _ in range(SAMPLE):
                bob.decrypt(alice.encrypt(MESSAGE))
        samples.append((time.perf_counter_ns() - start) / SAMPLE)
    return statistics.median(samples)


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0
    json.dump({"same direction": measure(False, seconds), "alternating direction": measure(True, seconds)},
              sys.stdout)
    print()


if __name__ == "__main__":
    main()

# SPDX-License-Identifier: AGPL-3.0-or-later
"""A slow, lossy link between two network namespaces, in user space (this machine's kernel has no
sch_netem): two TUN devices, one moved into each namespace, and this process carrying every IP
packet from one to the other with

  - a one-way delay (half the round trip),
  - a rate per direction (serialisation: a packet leaves when the ones before it have),
  - random loss (each packet independently),
  - a queue of at most LIMIT packets per direction (tail drop), as netem's default of 1000.

TCP runs in the two namespaces' kernels, unchanged: its handshakes, slow start, retransmissions and
congestion control meet the link as they would meet a real one.

Usage: python3 link.py CLIENT_NS SERVER_NS --rtt-ms 600 --rate-kbit 1000 --loss 0.01 [--limit 1000]
Prints "ready" once both namespaces have their addresses (client 10.77.0.1, server 10.77.0.2);
on SIGUSR1 writes its counters to the file named by --stats; stops on SIGTERM.
"""
import argparse, collections, fcntl, json, os, random, select, signal, struct, subprocess, sys, time

TUNSETIFF = 0x400454CA
IFF_TUN, IFF_NO_PI = 0x0001, 0x1000


def tun(name: str) -> int:
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def sh(*command: str) -> None:
    subprocess.run(command, check=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("client_ns")
    parser.add_argument("server_ns")
    parser.add_argument("--rtt-ms", type=float, default=600)
    parser.add_argument("--rate-kbit", type=float, default=1000)
    parser.add_argument("--loss", type=float, default=0.01)
    parser.add_argument("--limit", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--stats", default="/dev/null")
    options = parser.parse_args()
    random.seed(options.seed)
    signal.pthread_sigmask(signal.SIG_SETMASK, [])

    ends = {}
    for side, ns, address, peer in (("c", options.client_ns, "10.77.0.1", "10.77.0.2"),
                                    ("s", options.server_ns, "10.77.0.2", "10.77.0.1")):
        name = f"amanat{side}{os.getpid() % 10000}"
        fd = tun(name)
        # The device moves into the namespace; this process keeps its end.
        sh("ip", "link", "set", name, "netns", ns)
        sh("ip", "-n", ns, "link", "set", "lo", "up")
        sh("ip", "-n", ns, "addr", "add", address, "peer", peer, "dev", name)
        sh("ip", "-n", ns, "link", "set", name, "up")
        ends[side] = fd

    one_way = options.rtt_ms / 2000.0
    seconds_per_bit = 1.0 / (options.rate_kbit * 1000.0)
    # Per direction: the time the link is free again, and the packets on their way.
    free_at = {"c": 0.0, "s": 0.0}
    queues = {"c": collections.deque(), "s": collections.deque()}
    stats = {"c": {"packets": 0, "bytes": 0, "lost": 0, "dropped": 0},
             "s": {"packets": 0, "bytes": 0, "lost": 0, "dropped": 0}}
    running = True

    def stop(*_):
        nonlocal running
        running = False

    def dump(*_):
        with open(options.stats, "w") as out:
            json.dump({"clientToServer": stats["c"], "serverToClient": stats["s"]}, out)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGUSR1, dump)
    print("ready", flush=True)
    other = {"c": "s", "s": "c"}
    while running:
        now = time.monotonic()
        due = [q[0][0] for q in queues.values() if q]
        timeout = max(0.0, min(due) - now) if due else 0.5
        try:
            readable, _, _ = select.select([ends["c"], ends["s"]], [], [], timeout)
        except InterruptedError:
            continue
        now = time.monotonic()
        for side in ("c", "s"):
            if ends[side] not in readable:
                continue
            while True:
                try:
                    packet = os.read(ends[side], 65536)
                except BlockingIOError:
                    break
                counters = stats[side]
                counters["packets"] += 1
                counters["bytes"] += len(packet)
                queue = queues[side]
                if len(queue) >= options.limit:
                    counters["dropped"] += 1
                    continue
                if random.random() < options.loss:
                    counters["lost"] += 1
                    continue
                leaves = max(now, free_at[side]) + len(packet) * 8 * seconds_per_bit
                free_at[side] = leaves
                queue.append((leaves + one_way, packet))
        now = time.monotonic()
        for side in ("c", "s"):
            queue = queues[side]
            while queue and queue[0][0] <= now:
                _, packet = queue.popleft()
                try:
                    os.write(ends[other[side]], packet)
                except OSError:
                    pass
    dump()
    return 0


if __name__ == "__main__":
    sys.exit(main())

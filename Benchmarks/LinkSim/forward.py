# SPDX-License-Identifier: AGPL-3.0-or-later
"""The client's end of the slow link, as Tor's SOCKS port is: a local TCP listener on
127.0.0.1:LISTEN_PORT in the client's namespace that carries each connection to TARGET over the
link. It counts connections, HTTP requests (request lines in the client's bytes) and the bytes
each way, and writes them to STATS on SIGUSR1.

Usage: python3 forward.py LISTEN_PORT TARGET_HOST TARGET_PORT STATS
"""
import asyncio, json, re, signal, sys

REQUEST_LINE = re.compile(rb"(?:GET|PUT|POST|DELETE|HEAD) /\S* HTTP/1\.1\r\n")
stats = {"connections": 0, "requests": 0, "up": 0, "down": 0, "kinds": {}}


def kind(line: bytes) -> str:
    """`PUT /v1/mailboxes/{}/envelopes`: the request line with its ids (long or numeric segments)
    left out."""
    method, path = line.split(b" ")[:2]
    parts = [b"{}" if len(p) >= 16 or p.isdigit() else p for p in path.split(b"?")[0].split(b"/")[1:]]
    return (method + b" /" + b"/".join(parts)).decode()


async def pipe(reader, writer, key, count_requests):
    tail = b""
    try:
        while data := await reader.read(65536):
            stats[key] += len(data)
            if count_requests:
                window = tail + data
                old = len(REQUEST_LINE.findall(tail))
                found = REQUEST_LINE.findall(window)
                stats["requests"] += len(found) - old
                for line in found[old:]:
                    stats["kinds"][kind(line)] = stats["kinds"].get(kind(line), 0) + 1
                tail = window[-64:]
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        try:
            writer.close()
        except Exception:
            pass


async def main():
    listen_port, host, port, stats_file = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]

    async def handle(client_reader, client_writer):
        stats["connections"] += 1
        try:
            server_reader, server_writer = await asyncio.open_connection(host, port)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(pipe(client_reader, server_writer, "up", True),
                             pipe(server_reader, client_writer, "down", False))

    def dump():
        with open(stats_file, "w") as out:
            json.dump(stats, out)

    asyncio.get_running_loop().add_signal_handler(signal.SIGUSR1, dump)
    server = await asyncio.start_server(handle, "127.0.0.1", listen_port)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


signal.pthread_sigmask(signal.SIG_SETMASK, [])
asyncio.run(main())

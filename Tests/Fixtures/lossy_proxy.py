# SPDX-License-Identifier: AGPL-3.0-or-later
# A loopback HTTP relay-in-the-middle for tests: passes every connection through to the relay,
# except that while the file named by the third argument exists, the answer to every request
# whose request line starts with the given prefix is thrown away and the client's connection
# closed (an answer lost on a bad link: the relay has acted on the request, the client never
# hears). Prints its port, then serves until killed.
import signal, os, socket, sys, threading

# The test runner starts this from a thread with signals blocked, and a child inherits its mask:
# without this, the test's terminate() (SIGTERM) does nothing and the fixture outlives the test.
signal.pthread_sigmask(signal.SIG_SETMASK, [])

target_port, prefix, flag = int(sys.argv[1]), sys.argv[2].encode(), sys.argv[3]

def close(*sockets):
    for s in sockets:
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        s.close()

def handle(client):
    upstream = socket.create_connection(("127.0.0.1", target_port))
    drop = threading.Event()

    def answers():
        try:
            while True:
                data = upstream.recv(65536)
                if not data:
                    break
                if drop.is_set():
                    break  # the relay answered: the answer is lost
                client.sendall(data)
        except OSError:
            pass
        close(client, upstream)

    threading.Thread(target=answers, daemon=True).start()
    try:
        while True:
            data = client.recv(65536)
            if not data:
                break
            if data.startswith(prefix) and os.path.exists(flag):
                drop.set()
            upstream.sendall(data)
    except OSError:
        pass

server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", 0))
server.listen(64)
print(server.getsockname()[1], flush=True)
while True:
    connection, _ = server.accept()
    threading.Thread(target=handle, args=(connection,), daemon=True).start()

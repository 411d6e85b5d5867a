# SPDX-License-Identifier: AGPL-3.0-or-later
# A loopback pass-through to the relay that counts the connections it accepts: after each accept it
# rewrites the file named by the second argument with the count so far. A test points a profile at
# it to see whether a client tried to reach the relay. Prints its port, then serves until killed.
import signal, socket, sys, threading

# The test runner starts this from a thread with signals blocked, and a child inherits its mask:
# without this, the test's terminate() (SIGTERM) does nothing and the fixture outlives the test.
signal.pthread_sigmask(signal.SIG_SETMASK, [])

target_port, count_file = int(sys.argv[1]), sys.argv[2]


def pipe(source, destination):
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            destination.sendall(data)
    except OSError:
        pass
    for s in (source, destination):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(64)
print(listener.getsockname()[1], flush=True)
accepted = 0
while True:
    client, _ = listener.accept()
    accepted += 1
    with open(count_file, "w") as f:
        f.write(str(accepted))
    upstream = socket.create_connection(("127.0.0.1", target_port))
    threading.Thread(target=pipe, args=(client, upstream), daemon=True).start()
    threading.Thread(target=pipe, args=(upstream, client), daemon=True).start()

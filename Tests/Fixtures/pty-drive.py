#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""Runs a program on a pseudo-terminal and answers its prompts, for the terminal tests.

Usage: pty-drive.py JSON, where JSON is {"argv": [...], "answers": [[prompt, text], ...],
"timeout": seconds}. Each answer is typed (with a newline) once its prompt has appeared since the
previous answer; an answer with a third element false is typed without the newline (Ctrl-D as
"\u0004"). Prints {"output": everything the terminal showed, "status": exit status}.
"""
import json
import os
import pty
import select
import sys
import time

spec = json.loads(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    os.execv(spec["argv"][0], spec["argv"])
output = b""
seen = 0
answers = list(spec.get("answers", []))
deadline = time.time() + spec.get("timeout", 60)
while time.time() < deadline:
    ready, _, _ = select.select([fd], [], [], 0.1)
    if ready:
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        output += data
    if answers and answers[0][0].encode() in output[seen:]:
        seen = len(output)
        answer = answers.pop(0)
        os.write(fd, (answer[1] + ("\n" if len(answer) < 3 or answer[2] else "")).encode())
timed_out = False
if time.time() >= deadline:
    # Never hang the test run: a program still waiting after the deadline is killed.
    timed_out = True
    os.kill(pid, 9)
_, status = os.waitpid(pid, 0)
print(json.dumps({"output": output.decode("utf-8", "replace"), "status": os.waitstatus_to_exitcode(status),
                  "timedOut": timed_out}))

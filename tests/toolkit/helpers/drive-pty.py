"""Drives a command in a real pseudo-terminal, as a person at a terminal would.

Usage: drive-pty.py '<steps as JSON>' -- command args...
Steps: {"send": text} types text; {"expect": regex, "timeout": s} waits until the screen
output so far matches; {"resize": [rows, cols]} changes the window size (the kernel then sends
SIGWINCH to the program, as a terminal emulator's resize does); {"close": true} closes the
terminal, as closing its window does (the program gets SIGHUP); {"wait": s} reads for s seconds. Prints one JSON line:
{"ok", "failed_step", "output", "exit_code"}. Used by tests/toolkit/cli-shell.test.ts.
"""
import fcntl
import json
import os
import pty
import re
import select
import struct
import sys
import termios
import time


def set_size(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def main():
    steps = json.loads(sys.argv[1])
    argv = sys.argv[sys.argv.index("--") + 1 :]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(argv[0], argv)
    set_size(fd, 24, 80)
    out = b""

    def read_for(seconds):
        nonlocal out
        if fd is None:
            time.sleep(seconds)
            return False
        end = time.time() + seconds
        while time.time() < end:
            r, _, _ = select.select([fd], [], [], max(0, end - time.time()))
            if not r:
                return True
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                return False
            if not chunk:
                return False
            out += chunk
        return True

    result = {"ok": True, "failed_step": None}
    for i, step in enumerate(steps):
        if "send" in step:
            os.write(fd, step["send"].encode())
        elif "resize" in step:
            set_size(fd, *step["resize"])
        elif "wait" in step:
            read_for(step["wait"])
        elif "close" in step:
            os.close(fd)
            fd = None
            break
        elif "expect" in step:
            pattern = re.compile(step["expect"].encode())
            deadline = time.time() + step.get("timeout", 20)
            while not pattern.search(out) and time.time() < deadline:
                if not read_for(0.1) and not pattern.search(out):
                    break
            if not pattern.search(out):
                result = {"ok": False, "failed_step": i}
                break
    # The program should end by itself now (the shell exited); give it a moment, then stop it.
    deadline = time.time() + 20
    status = None
    while time.time() < deadline:
        read_for(0.1)
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
    else:
        os.kill(pid, 9)
        _, status = os.waitpid(pid, 0)
    result["exit_code"] = os.waitstatus_to_exitcode(status)
    result["output"] = out.decode("utf-8", "replace")
    print(json.dumps(result))


main()

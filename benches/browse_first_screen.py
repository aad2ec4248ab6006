#!/usr/bin/env python3
"""Time from starting `auditctl browse` in a pseudo-terminal to its first screen (the status
line with the count), as a person would wait for it: process start, store open, first window,
first frame. Usage: browse_first_screen.py BINARY STORE [RUNS]"""
import fcntl, os, pty, re, select, statistics, struct, sys, termios, time

binary, store = sys.argv[1], sys.argv[2]
runs = int(sys.argv[3]) if len(sys.argv) > 3 else 10
times = []
for _ in range(runs):
    started = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.update({"TERM": "xterm-256color", "LINES": "50", "COLUMNS": "200"})
        os.execv(binary, [binary, "--store", store, "browse"])
    # A 200×50 terminal.
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))
    seen = b""
    # The status line's position: `1 of 1,000,000`.
    while not re.search(rb"\d of \d", seen):
        ready, _, _ = select.select([fd], [], [], 10)
        if not ready:
            sys.exit(f"no first screen within 10 s: {seen[-300:]!r}")
        seen += os.read(fd, 65536)
    times.append(time.perf_counter() - started)
    os.write(fd, b"q")
    os.waitpid(pid, 0)
    os.close(fd)
ms = sorted(t * 1000 for t in times)
print(f"first screen: median {statistics.median(ms):.1f} ms, min {ms[0]:.1f} ms, max {ms[-1]:.1f} ms ({runs} runs)")

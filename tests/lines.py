# SPDX-License-Identifier: GPL-3.0-or-later
"""A command running in the background whose output lines are read as they come, each wait
bounded: a process that goes quiet fails the test with what it said, it never hangs it."""

import queue
import signal
import subprocess
import threading
import time


class Lines:
    def __init__(self, args, env):
        self.seen = []
        self._lines = queue.Queue()
        self.process = subprocess.Popen(args, env=env, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self._lines.put(line.rstrip("\n"))

    def next(self, deadline):
        """The next line, or None once the deadline (time.monotonic()) has passed."""
        try:
            line = self._lines.get(timeout=max(0.05, deadline - time.monotonic()))
        except queue.Empty:
            return None
        self.seen.append(line)
        return line

    def expect(self, start, timeout=30):
        """Waits for a line starting with start; fails with every line seen when none comes."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.next(deadline)
            if line is not None and line.startswith(start):
                return line
        raise AssertionError("no line starting %r in %.0f s; seen: %r" % (start, timeout,
                                                                          self.seen))

    def gather(self, start, count, timeout=30):
        """Waits for count lines starting with start; returns those that came in time."""
        found = []
        deadline = time.monotonic() + timeout
        while len(found) < count and time.monotonic() < deadline:
            line = self.next(deadline)
            if line is not None and line.startswith(start):
                found.append(line)
        return found

    def drain(self):
        """Every line said so far, without waiting."""
        while not self._lines.empty():
            self.seen.append(self._lines.get())
        return self.seen

    def stop(self):
        """SIGTERM, then the exit status and every line it said (none lost)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        time.sleep(0.2)
        return code, self.drain()

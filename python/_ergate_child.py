"""One running script as python/launcher.py keeps it: its pipes and bounded captures, its
deadline, and its kill sequence (SIGTERM to its pid, its group and every descendant that left
the group, SIGKILL after the grace). The first stop reason wins, and nothing is signalled
once it is reaped (until then its pid and group id are its own).
"""
import os
import time

import _signal
from _ergate_capture import Capture
from _ergate_sys import descendants, kill_group, signal_same

SIGKILL, SIGTERM = _signal.SIGKILL, _signal.SIGTERM


class Child:
    __slots__ = ("ident", "pid", "script", "fds", "captures", "live", "deadline", "grace", "kill_at", "stop", "escaped", "failure")

    def __init__(self, ident, pid, req, out_r, err_r):
        self.ident, self.pid, self.script = ident, pid, req["script"]
        self.fds = {out_r: b"O", err_r: b"E"}
        cap = int(req["maxOutputBytes"])  # numbers past 2**31 arrive as floats
        self.captures = {b"O": Capture(cap), b"E": Capture(cap)}
        self.live = bool(req.get("live"))
        timeout = req.get("timeoutMs", -1)
        self.deadline = time.monotonic() + timeout / 1000.0 if timeout >= 0 else None
        self.grace = req.get("killGraceMs", 2000) / 1000.0
        self.kill_at = None
        self.stop = None  # the first reason ergate ended it: "timeout" or "request"
        self.escaped = []  # setsid descendants snapshotted when the stop began
        self.failure = None  # why exec failed ('exec' mode), reported instead of an exit

    def check_deadline(self, now):
        """Starts the stop at the deadline, escalates it at the end of the grace."""
        if self.kill_at is not None and now >= self.kill_at:
            self.escalate()
        elif self.deadline is not None and now >= self.deadline:
            self.deadline = None
            self.begin_stop("timeout")

    def begin_stop(self, why):
        if self.stop is not None:
            return  # the first reason wins
        self.stop = why
        # Snapshot before signalling, while ppid chains still lead to setsid descendants.
        self.escaped = [p for p in descendants(self.pid) if p[1] != self.pid]
        self.signal_tree(SIGTERM)
        self.kill_at = time.monotonic() + self.grace

    def escalate(self):
        self.kill_at = None
        seen = set(p[0] for p in self.escaped)
        self.escaped += [p for p in descendants(self.pid) if p[1] != self.pid and p[0] not in seen]
        self.signal_tree(SIGKILL)

    def signal_tree(self, sig):
        """sig to the script's own pid (it may have left its group), its group and every
        escaped descendant. Only before the reap: until then the pid is the script's."""
        try:
            os.kill(self.pid, sig)
        except OSError:
            pass
        self.kill_remains(sig)

    def kill_remains(self, sig=SIGKILL):
        """sig to the group and every escaped descendant. Only before the reap: a zombie
        still holds its pid as the group id, which could be reused once it is reaped."""
        kill_group(self.pid, sig)
        for proc in self.escaped:
            signal_same(proc, sig)

"""One script run as python/launcher.py keeps it: the bounded capture of each stream, the
per-child state, the path checks and compile done before the fork, and how a wait status
reads. Imported only with a standard-library-only sys.path (see launcher.py).
"""
import io
import os
import sys
import time


class Capture:
    """One stream of a script, bounded: the first and last halves of maxBytes, and how many
    bytes fell between them. The only output buffer of ergate's script path."""
    __slots__ = ("head", "head_limit", "tail", "tail_bytes", "tail_limit", "total")

    def __init__(self, max_bytes):
        self.head_limit = (max_bytes + 1) // 2
        self.tail_limit = max_bytes - self.head_limit
        self.head = bytearray()
        self.tail = []
        self.tail_bytes = 0
        self.total = 0

    def push(self, data):
        self.total += len(data)
        room = self.head_limit - len(self.head)
        if room > 0:
            self.head += data[:room]
            data = data[room:]
        if not data or self.tail_limit == 0:
            return
        self.tail.append(data)
        self.tail_bytes += len(data)
        while self.tail_bytes - len(self.tail[0]) >= self.tail_limit:
            self.tail_bytes -= len(self.tail.pop(0))

    def parts(self):
        tail = b"".join(self.tail)[-self.tail_limit:] if self.tail_limit else b""
        return bytes(self.head), tail, self.total - len(self.head) - len(tail)


class Child:
    __slots__ = ("ident", "pid", "fds", "captures", "live", "deadline", "grace", "kill_at", "stop", "escaped", "failure")

    def __init__(self, ident, pid, req, out_r, err_r):
        self.ident, self.pid = ident, pid
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


def compile_script(path):
    """The script's code object, the exception `python script.py` would die of, or None when
    compiling it printed a warning (the fork then compiles it itself, so the warning reaches
    the script's own stderr)."""
    stderr = sys.stderr
    sys.stderr = warned = io.StringIO()
    try:
        with open(path, 'rb') as handle:
            code = compile(handle.read(), path, "exec", dont_inherit=True)
    except BaseException as exc:  # SyntaxError, ValueError (NUL bytes), OSError...
        code = exc
    finally:
        sys.stderr = stderr
    return None if warned.getvalue() else code


def check_paths(script, cwd):
    """Why the script or working folder cannot be used, in plain words; None when they can."""
    if not os.path.exists(script):
        return "script not found: %s" % script
    if os.path.isdir(script):
        return "script is a folder, not a file: %s" % script
    if not os.access(script, os.R_OK):
        return "script is not readable: %s" % script
    if not os.path.exists(cwd):
        return "working folder not found: %s" % cwd
    if not os.path.isdir(cwd):
        return "working folder is not a folder: %s" % cwd
    return None


def exit_code(status):
    """waitpid status as Python's os.waitstatus_to_exitcode (3.9+) gives it: -signal if killed."""
    if os.WIFSIGNALED(status):
        return -os.WTERMSIG(status)
    return os.WEXITSTATUS(status)

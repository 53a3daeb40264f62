"""ergate fork server: one warm interpreter that forks a fresh child per script.

Started by src/script/forkserver/fork-server.ts. Owns every child it forks: each child runs
in a process group of its own, and that group is SIGKILLed when the child exits, when Node
asks, and when the server must stop (EOF on its request pipe, or SIGTERM, which is also its
PR_SET_PDEATHSIG). Starts no threads: one poll() loop over pipes and pidfds does everything.

Wire format. fd 3 (from Node): 4-byte big-endian length + a dict in marshal format (read by
the built-in marshal module: json would import re, enum and ~25 more modules, all of them
copied into every fork's view of the heap), either
  {"op":"run","id":N,"script":..,"args":[..],"cwd":..,"envSet":{..},"envUnset":[..],
   "memoryLimitMb":..,"cpuTimeLimitS":..}   (env: changes to the environment the server
   was started with; the fork also undoes whatever the preloads changed in os.environ)
  {"op":"kill","id":N,"signal":S}
fd 4 (to Node): 1-byte type + 4-byte id + 4-byte length + payload, types
  R ready {"pid"}   S started {"pid"}   O stdout bytes   E stderr bytes
  X exited {"code" (<0: -signal), "maxrssKb", "cpuMs"} (JSON)   F could not start (UTF-8 text)

Lean on purpose: only built-in or dependency-free modules (marshal, select, _signal,
_ctypes, resource). Each fork's start-up cost is the pages it copies, and a smaller server
has fewer pages to map, copy and tear down.
"""
import sys
import os

_SERVER_DIR = sys.path[0]
_START_ENV = dict(os.environ)  # what Node started us with: requests carry changes to it


def preload(names):
    # sys.path[0] is python/ (this file's folder) during start-up; the preloads must resolve
    # as the scripts would, so they see the server's working directory instead.
    sys.path[0] = os.getcwd()
    for name in names:
        try:
            __import__(name)
        except BaseException as exc:  # a broken preload is reported, never half-served
            return "preload of %r failed: %s: %s" % (name, type(exc).__name__, exc)
    return None


_PRELOAD_ERROR = preload([n for n in sys.argv[2:] if n])
# Variables the preloads set, changed or removed: every fork puts them back as Node sent them.
_ENV_DRIFT = {k: _START_ENV.get(k) for k in set(_START_ENV) | set(os.environ) if _START_ENV.get(k) != os.environ.get(k)}
# Everything imported from here on is the server's own (select, marshal, _ctypes...): the child
# drops it from sys.modules, so a script sees what a fresh python has plus only the preloads
# (fidelity: `'json' in sys.modules` is False unless json was preloaded).
_PRELOADED = set(sys.modules)

import _signal  # noqa: E402  (after the snapshot on purpose)
import errno  # noqa: E402
import gc  # noqa: E402
import io  # noqa: E402  (already loaded by python's start-up)
import marshal  # noqa: E402
import resource  # noqa: E402,F401  (os.wait4 imports it anyway: let it count as ours)
import select  # noqa: E402

sys.path[0] = _SERVER_DIR
from _ergate_forkchild import become_child  # noqa: E402
from _ergate_preamble import descendants, prctl  # noqa: E402

_OURS = sorted(set(sys.modules) - _PRELOADED)
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
SIGKILL, SIGTERM = _signal.SIGKILL, _signal.SIGTERM
REQ_FD, REPLY_FD = 3, 4


def send(kind, ident, payload):
    data = kind + ident.to_bytes(4, "big") + len(payload).to_bytes(4, "big") + payload
    while data:
        data = data[os.write(REPLY_FD, data):]


def send_error(ident, text):
    send(b"F", ident, text.encode("utf-8", "backslashreplace"))


def compile_script(path):
    """The script's code object, the exception `python script.py` would die of, or None when
    compiling it printed a warning (SyntaxWarning...): the child then compiles it itself, so
    the warning reaches the script's own stderr, as with python."""
    stderr = sys.stderr
    sys.stderr = warned = io.StringIO()
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)  # io.open costs more, buffers unused
        try:
            chunks = []
            while True:
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
        finally:
            os.close(fd)
        code = compile(b"".join(chunks), path, "exec", dont_inherit=True)
    except BaseException as exc:  # SyntaxError, ValueError (NUL bytes), OSError...
        code = exc
    finally:
        sys.stderr = stderr
    return None if warned.getvalue() else code


def kill_group(pid, sig):
    try:
        os.killpg(pid, sig)
    except OSError:
        pass  # group already gone


class Child:
    __slots__ = ("ident", "pid", "pidfd", "fds")

    def __init__(self, ident, pid, pidfd, out_r, err_r):
        self.ident, self.pid, self.pidfd = ident, pid, pidfd
        self.fds = {out_r: b"O", err_r: b"E"}


class Server:
    def __init__(self):
        self.poller = select.poll()
        self.poller.register(REQ_FD, select.POLLIN)
        self.children = {}  # id -> Child
        self.by_fd = {}  # fd -> (Child, kind); kind b"O"/b"E" for output, b"X" for the pidfd
        self.inbox = b""

    def shutdown(self, *_):
        # Descendants that left their group with setsid escape killpg: find them while the
        # children still hold the ppid chains (Node may be gone, so nobody else will).
        for pid in descendants(*[child.pid for child in self.children.values()]):
            try:
                os.kill(pid, SIGKILL)
            except OSError:
                pass
        # Kill first, reap after: every group is gone before the server is.
        for child in self.children.values():
            kill_group(child.pid, SIGKILL)
        for child in self.children.values():
            try:
                os.waitpid(child.pid, 0)
            except OSError:
                pass
        os._exit(0)

    def serve(self):
        """Runs until EOF; returns (request, out_w, err_w) only inside a forked child."""
        while True:
            for fd, _ in self.poller.poll():
                if fd == REQ_FD:
                    chunk = os.read(REQ_FD, 65536)
                    if not chunk:
                        self.shutdown()
                    self.inbox += chunk
                    while len(self.inbox) >= 4:
                        size = int.from_bytes(self.inbox[:4], "big")
                        if len(self.inbox) < 4 + size:
                            break
                        req = marshal.loads(self.inbox[4:4 + size])
                        self.inbox = self.inbox[4 + size:]
                        forked = self.handle(req)
                        if forked is not None:
                            return forked
                elif fd in self.by_fd:
                    child, kind = self.by_fd[fd]
                    if kind == b"X":
                        self.finish(child)
                    else:
                        self.pump(child, fd, kind)

    def handle(self, req):
        ident = req["id"]
        if req["op"] == "kill":
            child = self.children.get(ident)
            if child is not None:  # not reaped yet, so its pid still names its group
                kill_group(child.pid, req["signal"])
            return None
        problem = None
        if not os.path.isfile(req["script"]):
            problem = "script not found: %s" % req["script"]
        elif not os.path.isdir(req["cwd"]):
            problem = "working directory not found: %s" % req["cwd"]
        if problem:
            send_error(ident, problem)
            return None
        # Read and compile here, not in the child: the child would fault in (copy-on-write)
        # every heap page the compiler touches, ~0.5 ms a script; here those pages are warm.
        # A script that cannot be read or compiled raises the same error in its child.
        req["code"] = compile_script(req["script"])
        req["dir"] = os.path.dirname(os.path.realpath(req["script"]))
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        # SIGTERM stays blocked across fork until the child has reset its handler: the
        # server's handler, run in a child, would kill every other script's group.
        _signal.pthread_sigmask(_signal.SIG_BLOCK, (SIGTERM,))
        try:
            pid = os.fork()
        except OSError as exc:
            _signal.pthread_sigmask(_signal.SIG_UNBLOCK, (SIGTERM,))
            for fd in (out_r, out_w, err_r, err_w):
                os.close(fd)
            name = errno.errorcode.get(exc.errno, str(exc.errno))
            send_error(ident, "fork failed (%s): %s" % (name, exc.strerror))
            return None
        if pid == 0:
            return req, out_w, err_w
        _signal.pthread_sigmask(_signal.SIG_UNBLOCK, (SIGTERM,))
        try:
            os.setpgid(pid, pid)  # also done in the child: whichever runs first wins the race
        except OSError:
            pass
        os.close(out_w)
        os.close(err_w)
        child = Child(ident, pid, os.pidfd_open(pid), out_r, err_r)
        self.children[ident] = child
        for fd, kind in list(child.fds.items()) + [(child.pidfd, b"X")]:
            os.set_blocking(fd, False)
            self.by_fd[fd] = (child, kind)
            self.poller.register(fd, select.POLLIN)
        send(b"S", ident, b'{"pid":%d}' % pid)
        return None

    def pump(self, child, fd, kind):
        try:
            data = os.read(fd, 65536)
        except BlockingIOError:
            return
        if data:
            send(kind, child.ident, data)
        else:
            self.forget(child, fd)

    def forget(self, child, fd):
        self.poller.unregister(fd)
        del self.by_fd[fd]
        child.fds.pop(fd, None)
        os.close(fd)

    def finish(self, child):
        # The child is a zombie now, so its pid still names its group: kill what it left
        # behind before reaping, then drain what was written before the exit.
        kill_group(child.pid, SIGKILL)
        _, status, usage = os.wait4(child.pid, 0)
        for fd, kind in list(child.fds.items()):
            while fd in child.fds:
                try:
                    data = os.read(fd, 65536)
                except BlockingIOError:
                    break
                if not data:
                    break
                send(kind, child.ident, data)
            self.forget(child, fd)
        self.forget(child, child.pidfd)
        del self.children[child.ident]
        cpu_ms = round((usage.ru_utime + usage.ru_stime) * 1000)
        code = os.waitstatus_to_exitcode(status)  # negative: killed by signal -code
        send(b"X", child.ident, b'{"code":%d,"maxrssKb":%d,"cpuMs":%d}' % (code, usage.ru_maxrss, cpu_ms))


if __name__ == "__main__":
    prctl(PR_SET_PDEATHSIG, SIGTERM)
    if os.getppid() != int(sys.argv[1]):
        sys.exit(0)  # Node died before PR_SET_PDEATHSIG was armed
    if _PRELOAD_ERROR:
        send_error(0, _PRELOAD_ERROR)
        sys.exit(1)
    # Move every object the server made so far into the permanent generation: a child's GC
    # then never walks (and so never copies) the inherited heap. Python's advice for forks.
    gc.freeze()
    _server = Server()
    _signal.signal(SIGTERM, _server.shutdown)
    send(b"R", 0, b'{"pid":%d}' % os.getpid())
    _server_pid = os.getpid()
    _forked = _server.serve()
    # (The server object is left alone: freeing it would write to its pages, each a copy.)
    become_child(*_forked, server_pid=_server_pid, drop_modules=_OURS, env_drift=_ENV_DRIFT)

"""ergate fork server: one warm interpreter that forks a fresh child per script.

Started by src/script/forkserver/fork-server.ts. Owns every child it forks: each child runs
in a process group of its own, and that group is SIGKILLed when the child exits, when Node
asks, and when the server must stop (EOF on its request pipe, or SIGTERM, which is also its
PR_SET_PDEATHSIG). Starts no threads: one poll() loop over pipes and pidfds does everything.

Wire format. fd 3 (from Node): 4-byte big-endian length + JSON, either
  {"op":"run","id":N,"script":..,"args":[..],"cwd":..,"env":{..},"memoryLimitMb":..,"cpuTimeLimitS":..}
  {"op":"kill","id":N,"signal":S}
fd 4 (to Node): 1-byte type + 4-byte id + 4-byte length + payload, types
  R ready {pid}   S started {pid}   O stdout bytes   E stderr bytes
  X exited {code (<0: -signal), maxrssKb, cpuMs}   F could not start {error}
"""
import sys
import os

_SERVER_DIR = sys.path[0]


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
# Everything imported from here on is the server's own (json, select, ctypes...): the child
# drops it from sys.modules, so a script sees what a fresh python has plus only the preloads
# (fidelity: `'json' in sys.modules` is False unless json was preloaded).
_PRELOADED = set(sys.modules)

import ctypes  # noqa: E402
import errno  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402  (after the snapshot on purpose)
import select  # noqa: E402
import signal  # noqa: E402
import struct  # noqa: E402

sys.path[0] = _SERVER_DIR
from _ergate_forkchild import become_child  # noqa: E402

_OURS = set(sys.modules) - _PRELOADED
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
REQ_FD, REPLY_FD = 3, 4
HEADER = struct.Struct(">BII")
_libc = ctypes.CDLL(None, use_errno=True)


def send(kind, ident, payload):
    if not isinstance(payload, bytes):
        payload = json.dumps(payload).encode()
    data = HEADER.pack(ord(kind), ident, len(payload)) + payload
    while data:
        data = data[os.write(REPLY_FD, data):]


def kill_group(pid, sig):
    try:
        os.killpg(pid, sig)
    except OSError:
        pass  # group already gone


def find_descendants(roots):
    """Every live descendant of the roots, from one pass over /proc (Linux)."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry, "rb") as handle:
                stat = handle.read()
            ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        except (OSError, ValueError, IndexError):
            continue  # exited while we looked
        children.setdefault(ppid, []).append(int(entry))
    found, todo = [], list(roots)
    while todo:
        for pid in children.get(todo.pop(), ()):
            found.append(pid)
            todo.append(pid)
    return found


class Child:
    __slots__ = ("ident", "pid", "pidfd", "fds")

    def __init__(self, ident, pid, pidfd, out_r, err_r):
        self.ident, self.pid, self.pidfd = ident, pid, pidfd
        self.fds = {out_r: "O", err_r: "E"}


class Server:
    def __init__(self):
        self.poller = select.poll()
        self.poller.register(REQ_FD, select.POLLIN)
        self.children = {}  # id -> Child
        self.by_fd = {}  # fd -> (Child, kind); kind "O"/"E" for output, "X" for the pidfd
        self.inbox = b""

    def shutdown(self, *_):
        # Descendants that left their group with setsid escape killpg: find them while the
        # children still hold the ppid chains (Node may be gone, so nobody else will).
        for pid in find_descendants([child.pid for child in self.children.values()]):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        # Kill first, reap after: every group is gone before the server is.
        for child in self.children.values():
            kill_group(child.pid, signal.SIGKILL)
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
                        req = json.loads(self.inbox[4:4 + size])
                        self.inbox = self.inbox[4 + size:]
                        forked = self.handle(req)
                        if forked is not None:
                            return forked
                elif fd in self.by_fd:
                    child, kind = self.by_fd[fd]
                    if kind == "X":
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
            send("F", ident, {"error": problem})
            return None
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        # SIGTERM stays blocked across fork until the child has reset its handler: the
        # server's handler, run in a child, would kill every other script's group.
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
        try:
            pid = os.fork()
        except OSError as exc:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
            for fd in (out_r, out_w, err_r, err_w):
                os.close(fd)
            name = errno.errorcode.get(exc.errno, str(exc.errno))
            send("F", ident, {"error": "fork failed (%s): %s" % (name, exc.strerror)})
            return None
        if pid == 0:
            return req, out_w, err_w
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
        try:
            os.setpgid(pid, pid)  # also done in the child: whichever runs first wins the race
        except OSError:
            pass
        os.close(out_w)
        os.close(err_w)
        child = Child(ident, pid, os.pidfd_open(pid), out_r, err_r)
        self.children[ident] = child
        for fd, kind in list(child.fds.items()) + [(child.pidfd, "X")]:
            os.set_blocking(fd, False)
            self.by_fd[fd] = (child, kind)
            self.poller.register(fd, select.POLLIN)
        send("S", ident, {"pid": pid})
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
        kill_group(child.pid, signal.SIGKILL)
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
        send("X", child.ident, {"code": code, "maxrssKb": usage.ru_maxrss, "cpuMs": cpu_ms})


if __name__ == "__main__":
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != int(sys.argv[1]):
        sys.exit(0)  # Node died before PR_SET_PDEATHSIG was armed
    if _PRELOAD_ERROR:
        send("F", 0, {"error": _PRELOAD_ERROR})
        sys.exit(1)
    # Move every object the server made so far into the permanent generation: a child's GC
    # then never walks (and so never copies) the inherited heap. Python's advice for forks.
    gc.freeze()
    _server = Server()
    signal.signal(signal.SIGTERM, _server.shutdown)
    send("R", 0, {"pid": os.getpid()})
    _server_pid = os.getpid()
    _forked = _server.serve()
    del _server
    become_child(*_forked, server_pid=_server_pid, drop_modules=_OURS, libc=_libc)

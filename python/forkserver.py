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

# Modules present before the server imports anything: the child drops every module the
# server itself added (json, select, ctypes...), so a script sees what a fresh python has,
# plus only the preloaded modules (fidelity: `'json' in sys.modules` is False).
_BASELINE = set(sys.modules)
_SERVER_DIR = sys.path[0]
_SELF = os.path.abspath(__file__)


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
_PRELOADED = set(sys.modules)

import builtins  # noqa: E402  (after the snapshot on purpose)
import ctypes  # noqa: E402
import errno  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import select  # noqa: E402
import signal  # noqa: E402
import struct  # noqa: E402
from importlib.machinery import SourceFileLoader  # noqa: E402

_OURS = set(sys.modules) - _PRELOADED
PR_SET_PDEATHSIG = 1
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


def become_child(req, out_w, err_w, server_pid):
    """In the forked child: isolate, apply the script's settings, then run it as __main__."""
    os.setpgid(0, 0)
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != server_pid:  # the server died before the line above took effect
        os._exit(128 + signal.SIGKILL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
    os.dup2(out_w, 1)
    os.dup2(err_w, 2)
    os.closerange(3, resource.getrlimit(resource.RLIMIT_NOFILE)[0])
    os.chdir(req["cwd"])
    os.environ.clear()
    os.environ.update(req["env"])
    if req.get("memoryLimitMb"):
        limit = int(req["memoryLimitMb"] * 1024 * 1024)
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    if req.get("cpuTimeLimitS"):
        seconds = int(req["cpuTimeLimitS"])
        resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    path = req["script"]
    sys.argv = [path] + list(req["args"])
    sys.path[0] = os.path.dirname(os.path.realpath(path))
    for name in _OURS:
        sys.modules.pop(name, None)
    main = type(sys)("__main__")
    main.__file__ = path
    main.__cached__ = None
    main.__builtins__ = builtins
    main.__loader__ = SourceFileLoader("__main__", path)
    sys.modules["__main__"] = main
    run_main(path, main.__dict__)


def run_main(path, namespace):
    """Runs the script; exit status and printed errors match `python script.py`."""
    interrupted = False
    try:
        with open(path, "rb") as handle:
            source = handle.read()
        code = compile(source, path, "exec", dont_inherit=True)
        exec(code, namespace)
        status = 0
    except SystemExit as exc:
        status = exit_status(exc)
    except BaseException as exc:
        tb = exc.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename == _SELF:
            tb = tb.tb_next  # hide ergate's own frames: the traceback starts in the script
        exc.__traceback__ = tb  # the default hook prints the exception's own traceback
        sys.excepthook(type(exc), exc, tb)
        interrupted = isinstance(exc, KeyboardInterrupt)
        status = 1
    del namespace  # drop the script's globals before exiting, as interpreter shutdown would
    finish_process(status, interrupted)


def exit_status(exc):
    """What python's own handling of an uncaught SystemExit would exit with."""
    code = exc.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    try:
        sys.stderr.write(str(code) + "\n")
    except BaseException:
        pass
    return 1


def finish_process(status, interrupted):
    # Full interpreter finalisation in a fork costs ~3 ms (it writes to every inherited page,
    # so each is copied). Do the parts a script can observe, in python's order, then _exit:
    # join non-daemon threads, run atexit callbacks, flush the standard streams.
    main = sys.modules.get("__main__")
    if main is not None:
        main.__dict__.clear()  # runs __del__ of the script's globals (unflushed files...)
    threading = sys.modules.get("threading")
    if threading is not None:
        threading._shutdown()
    import atexit

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except BaseException:
            status = 120  # python's status when flushing stdout fails at exit
    if interrupted:  # python exits through SIGINT after an uncaught KeyboardInterrupt
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
    os._exit(status)


if __name__ == "__main__":
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != int(sys.argv[1]):
        sys.exit(0)  # Node died before PR_SET_PDEATHSIG was armed
    if _PRELOAD_ERROR:
        send("F", 0, {"error": _PRELOAD_ERROR})
        sys.exit(1)
    sys.path[0] = _SERVER_DIR
    _server = Server()
    signal.signal(signal.SIGTERM, _server.shutdown)
    send("R", 0, {"pid": os.getpid()})
    _server_pid = os.getpid()
    _forked = _server.serve()
    del _server
    become_child(*_forked, server_pid=_server_pid)

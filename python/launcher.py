"""ergate launcher: the small process that starts, times and reaps every Python script.

Started by src/script/launcher/launcher.ts, one per supervisor slot, as
`python launcher.py <exec|fork> <node pid> [preload...]`. In 'exec' mode each script is a
fresh `python script.py` (fork, then exec); in 'fork' mode a fork of this warm interpreter.
Either way this process is the script's parent: it sets the script's process group,
PR_SET_PDEATHSIG and rlimits between fork and exec, enforces its deadline (so a busy Node
event loop never delays a timeout), keeps the bounded head and tail of its output, kills its
tree (SIGTERM, grace, SIGKILL, setsid descendants found in /proc), reaps it with wait4 and
sends the exit with its rusage. As a subreaper it also kills what a script left behind.
It dies with Node (EOF on its request pipe, or SIGTERM, its PR_SET_PDEATHSIG) and takes every
script tree with it. Single-threaded: one poll() loop over pipes and a SIGCHLD wakeup fd.

Wire format. fd 3 (from Node): 4-byte big-endian length + a dict in marshal format:
  {"op":"run","id","python","script","args","cwd","envSet","envUnset","memoryLimitMb",
   "cpuTimeLimitS","timeoutMs" (<0: none),"killGraceMs","maxOutputBytes","live"}
   (env: changes to the environment this process was started with)
  {"op":"stop","id"}   (Node wants the run ended; the first stop reason wins)
fd 4 (to Node): 1-byte type + 4-byte id + 4-byte length + payload, types
  R ready {"pid"}   S started {"pid"}   O/E live stdout/stderr bytes (only when "live")
  X exited: JSON {"code" (<0: -signal),"maxrssKb","cpuMs","stop" (null|"timeout"|"request"),
    "out":[head,tail,dropped],"err":[..]} + "\\n" + out head, out tail, err head, err tail
  F could not start (UTF-8 text)

ergate's own imports come from the standard library only, whatever sys.path holds, and are
taken out of sys.modules again before any preload, so a fork sees what python would.
"""
import sys
import os

_HERE = os.path.dirname(os.path.abspath(__file__))
_STARTUP_MODULES = set(sys.modules)


def _stdlib_path(paths):
    roots = tuple(set(os.path.join(p, 'lib') for p in (sys.base_prefix, sys.base_exec_prefix) if p))
    return [p for p in paths if p.startswith(roots) and 'site-packages' not in p and 'dist-packages' not in p]


_saved_path = sys.path[:]
sys.path[:] = [_HERE] + _stdlib_path(_saved_path)
try:
    import _signal
    import errno
    import gc
    import io
    import marshal
    import resource
    import select
    import time
    from _ergate_execchild import exec_child
    from _ergate_forkchild import become_child
    from _ergate_keeper import keep
    from _ergate_run import Child, check_paths, compile_script, exit_code
    from _ergate_sys import descendants, kill_group, prctl, signal_same
finally:
    sys.path[:] = _saved_path
# Kept referenced by this module, gone from sys.modules: a preload or a script that imports
# one of these names resolves it as plain python would (the user's resource.py, say). Except
# `resource`: os.wait4 imports it on every call, so this process keeps the real one; each
# fork drops it before the script runs.
_DROP_IN_FORK = [n for n in ("resource",) if n not in _STARTUP_MODULES]
for _name in set(sys.modules) - _STARTUP_MODULES - set(_DROP_IN_FORK):
    del sys.modules[_name]

MODE = sys.argv[1]
NODE_PID = int(sys.argv[2])
_START_ENV = dict(os.environ)  # what Node started us with: requests carry changes to it
PR_SET_PDEATHSIG, PR_SET_CHILD_SUBREAPER = 1, 36  # <linux/prctl.h>
SIGKILL, SIGTERM, SIGCHLD = _signal.SIGKILL, _signal.SIGTERM, _signal.SIGCHLD
REQ_FD, REPLY_FD = 3, 4
READ_SIZE = 65536
# Live output queued for Node beyond this: stop reading the scripts' pipes (flow control).
OUT_QUEUE_HIGH = 1 << 20


def preload(names):
    # sys.path[0] is python/ (this file's folder) during start-up; the preloads must resolve
    # as the scripts would, so they see the working directory instead.
    sys.path[0] = os.getcwd()
    for name in names:
        try:
            __import__(name)
        except BaseException as exc:  # a broken preload is reported, never half-served
            return "preload of %r failed: %s: %s" % (name, type(exc).__name__, exc)
    return None


_PRELOAD_ERROR = preload([n for n in sys.argv[3:] if n]) if MODE == 'fork' else None
# Variables the preloads set, changed or removed: every fork puts them back as Node sent them.
_ENV_DRIFT = {k: _START_ENV.get(k) for k in set(_START_ENV) | set(os.environ) if _START_ENV.get(k) != os.environ.get(k)}


class Launcher:
    def __init__(self):
        self.poller = select.poll()
        self.poller.register(REQ_FD, select.POLLIN)
        wake_r, wake_w = os.pipe()
        os.set_blocking(wake_r, False)
        os.set_blocking(wake_w, False)
        self.wake_r = wake_r
        _signal.set_wakeup_fd(wake_w)
        _signal.signal(SIGCHLD, lambda *_: None)  # a Python handler, so the wakeup fd is written
        self.poller.register(wake_r, select.POLLIN)
        self.poller.register(REPLY_FD, 0)  # POLLOUT while replies wait; POLLERR once Node is gone
        self.children = {}  # id -> Child
        self.by_pid = {}
        self.by_fd = {}  # output fd -> Child
        self.inbox = b""
        self.outbox = []
        self.out_bytes = 0
        self.paused = False

    # --- replies -------------------------------------------------------------------------

    def send(self, kind, ident, payload):
        self.outbox.append(kind + ident.to_bytes(4, "big") + len(payload).to_bytes(4, "big") + payload)
        self.out_bytes += 9 + len(payload)
        self.flush()

    def flush(self):
        while self.outbox:
            data = self.outbox[0]
            try:
                written = os.write(REPLY_FD, data)
            except BlockingIOError:
                break
            except OSError:
                self.shutdown()  # Node is gone
            self.out_bytes -= written
            if written == len(data):
                self.outbox.pop(0)
            else:
                self.outbox[0] = data[written:]
        self.poller.modify(REPLY_FD, select.POLLOUT if self.outbox else 0)
        # Flow control: while Node is behind on live output, leave the scripts' pipes unread.
        pause = self.out_bytes > OUT_QUEUE_HIGH
        if pause != self.paused:
            self.paused = pause
            for fd, child in self.by_fd.items():
                if child.live:
                    self.poller.modify(fd, 0 if pause else select.POLLIN)

    def send_error(self, ident, text):
        self.send(b"F", ident, text.encode("utf-8", "backslashreplace"))

    # --- the loop ------------------------------------------------------------------------

    def serve(self):
        """Runs until EOF; returns (request, out_w, err_w) only inside a 'fork' mode child."""
        while True:
            for fd, events in self.poller.poll(self.poll_timeout()):
                if fd == REQ_FD:
                    forked = self.read_requests()
                    if forked is not None:
                        return forked
                elif fd == self.wake_r:
                    try:
                        while os.read(self.wake_r, 4096):
                            pass
                    except BlockingIOError:
                        pass
                    self.reap()
                elif fd == REPLY_FD:
                    self.flush()
                elif fd in self.by_fd:
                    self.pump(fd)
            self.check_deadlines()

    def poll_timeout(self):
        soonest = None
        for child in self.children.values():
            for at in (child.deadline, child.kill_at):
                if at is not None and (soonest is None or at < soonest):
                    soonest = at
        if soonest is None:
            return None
        return min(max(0, int((soonest - time.monotonic()) * 1000) + 1), 2 ** 31 - 1)

    def check_deadlines(self):
        now = time.monotonic()
        for child in list(self.children.values()):
            if child.kill_at is not None and now >= child.kill_at:
                self.escalate(child)
            elif child.deadline is not None and now >= child.deadline:
                child.deadline = None
                self.begin_stop(child, "timeout")

    def read_requests(self):
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
            if req["op"] == "stop":
                child = self.children.get(req["id"])
                if child is not None:
                    self.begin_stop(child, "request")
                continue
            try:
                forked = self.start(req)
            except Exception as exc:  # one bad request is that run's error, never the launcher's end
                self.send_error(req["id"], "could not start the script: %s: %s" % (type(exc).__name__, exc))
                continue
            if forked is not None:
                return forked
        return None

    # --- starting ------------------------------------------------------------------------

    def start(self, req):
        ident = req["id"]
        problem = check_paths(req["script"], req["cwd"])
        if problem:
            self.send_error(ident, problem)
            return None
        if MODE == 'fork':
            # Compile here, not in the child: the child would copy every page the compiler
            # touches (~0.5 ms a script); here those pages are warm.
            req["code"] = compile_script(req["script"])
            req["dir"] = os.path.dirname(os.path.realpath(req["script"]))
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        report_r, report_w = os.pipe() if MODE == 'exec' else (-1, -1)
        sys.stdout.flush()
        sys.stderr.flush()
        # SIGTERM and SIGCHLD stay blocked across fork until the child has reset them: this
        # process's handlers, run in a child, would act on every other script.
        _signal.pthread_sigmask(_signal.SIG_BLOCK, (SIGTERM, SIGCHLD))
        try:
            pid = os.fork()
        except OSError as exc:
            _signal.pthread_sigmask(_signal.SIG_UNBLOCK, (SIGTERM, SIGCHLD))
            for fd in (out_r, out_w, err_r, err_w, report_r, report_w):
                if fd >= 0:
                    os.close(fd)
            name = errno.errorcode.get(exc.errno, str(exc.errno))
            self.send_error(ident, "fork failed (%s): %s" % (name, exc.strerror))
            return None
        if pid == 0:
            if MODE == 'exec':
                exec_child(req, out_w, err_w, report_w, _LAUNCHER_PID, _START_ENV)
            return req, out_w, err_w
        _signal.pthread_sigmask(_signal.SIG_UNBLOCK, (SIGTERM, SIGCHLD))
        try:
            os.setpgid(pid, pid)  # also done in the child: whichever runs first wins the race
        except OSError:
            pass
        os.close(out_w)
        os.close(err_w)
        child = Child(ident, pid, req, out_r, err_r)
        self.children[ident] = child
        self.by_pid[pid] = child
        if MODE == 'exec':
            os.close(report_w)
            failure = b""
            while True:  # EOF once exec succeeded (the pipe is close-on-exec)
                data = os.read(report_r, 4096)
                if not data:
                    break
                failure += data
            os.close(report_r)
            if failure:
                # The child _exits 127 and is reaped as usual; the run reports why.
                child.live = False
                child.deadline = None
                child.failure = "could not start python interpreter '%s': %s" % (req["python"], failure.decode("utf-8", "replace"))
        for fd in child.fds:
            os.set_blocking(fd, False)
            self.by_fd[fd] = child
            self.poller.register(fd, 0 if (self.paused and child.live) else select.POLLIN)
        if child.failure is None:
            self.send(b"S", ident, b'{"pid":%d}' % pid)
        return None

    # --- output --------------------------------------------------------------------------

    def pump(self, fd):
        child = self.by_fd[fd]
        try:
            data = os.read(fd, READ_SIZE)
        except BlockingIOError:
            return
        if data:
            kind = child.fds[fd]
            child.captures[kind].push(data)
            if child.live:
                self.send(kind, child.ident, data)
        else:
            self.forget(fd)

    def forget(self, fd):
        child = self.by_fd.pop(fd)
        self.poller.unregister(fd)
        del child.fds[fd]
        os.close(fd)

    # --- stopping ------------------------------------------------------------------------

    def begin_stop(self, child, why):
        if child.stop is not None:
            return  # the first reason wins
        child.stop = why
        # Snapshot before signalling, while ppid chains still lead to setsid descendants.
        child.escaped = [p for p in descendants(child.pid) if p[1] != child.pid]
        kill_group(child.pid, SIGTERM)  # not reaped yet: the pid still names its group
        for proc in child.escaped:
            signal_same(proc, SIGTERM)
        child.kill_at = time.monotonic() + child.grace

    def escalate(self, child):
        child.kill_at = None
        seen = set(p[0] for p in child.escaped)
        child.escaped += [p for p in descendants(child.pid) if p[1] != child.pid and p[0] not in seen]
        kill_group(child.pid, SIGKILL)
        for proc in child.escaped:
            signal_same(proc, SIGKILL)

    # --- exits ---------------------------------------------------------------------------

    def reap(self):
        while True:
            try:
                info = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
            except ChildProcessError:
                return
            if info is None or info.si_pid == 0:
                return
            child = self.by_pid.get(info.si_pid)
            if child is None:
                os.waitpid(info.si_pid, 0)  # an orphan of an earlier script, already killed
            else:
                self.finish(child)

    def finish(self, child):
        # A zombie still holds its pid as the group id: kill what it left in the group
        # before reaping, never after (the id could be reused). Then drain what it wrote.
        kill_group(child.pid, SIGKILL)
        for proc in child.escaped:
            signal_same(proc, SIGKILL)
        _, status, usage = os.wait4(child.pid, 0)
        for fd in list(child.fds):
            while fd in child.fds:
                try:
                    data = os.read(fd, READ_SIZE)
                except BlockingIOError:
                    break
                if not data:
                    break
                child.captures[child.fds[fd]].push(data)
                if child.live:
                    self.send(child.fds[fd], child.ident, data)
            self.forget(fd)
        del self.children[child.ident]
        del self.by_pid[child.pid]
        if not self.children:
            self.sweep_orphans()
        if child.failure is not None:
            self.send_error(child.ident, child.failure)
            return
        out = child.captures[b"O"].parts()
        err = child.captures[b"E"].parts()
        stop = b'"%s"' % child.stop.encode() if child.stop else b"null"
        header = b'{"code":%d,"maxrssKb":%d,"cpuMs":%d,"stop":%s,"out":[%d,%d,%d],"err":[%d,%d,%d]}\n' % (
            exit_code(status), usage.ru_maxrss, round((usage.ru_utime + usage.ru_stime) * 1000), stop,
            len(out[0]), len(out[1]), out[2], len(err[0]), len(err[1]), err[2])
        self.send(b"X", child.ident, header + out[0] + out[1] + err[0] + err[1])

    def sweep_orphans(self):
        # We are every script's subreaper: what a finished script left running (a setsid
        # daemon, a double fork) is our child now. One syscall says whether there is any.
        try:
            if os.waitpid(-1, os.WNOHANG)[0] > 0:
                self.sweep_orphans()
                return
        except ChildProcessError:
            return
        for proc in descendants(_LAUNCHER_PID):
            signal_same(proc, SIGKILL)

    def shutdown(self, *_):
        # Node is gone or closed us: kill every tree (setsid descendants too, found while the
        # children still hold the ppid chains), reap, exit.
        for proc in descendants(_LAUNCHER_PID):
            signal_same(proc, SIGKILL)
        for child in self.children.values():
            kill_group(child.pid, SIGKILL)
        while True:
            try:
                os.waitpid(-1, 0)
            except ChildProcessError:
                break
            except OSError:
                break
        os._exit(0)


def split_keeper():
    """Forks the launcher loop off this process, which stays behind as its keeper (see
    _ergate_keeper.py). Returns in the loop only. Without a fork (RLIMIT_NPROC), runs alone."""
    keeper = os.getpid()
    try:
        pid = os.fork()
    except OSError:
        return
    if pid:
        keep(pid, (REQ_FD, REPLY_FD))
    prctl(PR_SET_PDEATHSIG, SIGTERM)
    if os.getppid() != keeper:
        os._exit(0)


if __name__ == "__main__":
    prctl(PR_SET_PDEATHSIG, SIGTERM)
    if os.getppid() != NODE_PID:
        sys.exit(0)  # Node died before PR_SET_PDEATHSIG was armed
    # Nothing this process holds reaches an exec'd script: not the request and reply pipes,
    # nor whatever Node's process let slip through to us.
    for _fd in os.listdir('/proc/self/fd'):
        if int(_fd) > 2:
            try:
                os.set_inheritable(int(_fd), False)
            except OSError:
                pass  # the listing's own fd, closed already
    if _PRELOAD_ERROR:
        msg = _PRELOAD_ERROR.encode("utf-8", "backslashreplace")
        os.write(REPLY_FD, b"F" + (0).to_bytes(4, "big") + len(msg).to_bytes(4, "big") + msg)
        sys.exit(1)
    prctl(PR_SET_CHILD_SUBREAPER, 1)
    split_keeper()
    prctl(PR_SET_CHILD_SUBREAPER, 1)
    _LAUNCHER_PID = os.getpid()
    os.set_blocking(REPLY_FD, False)
    # Everything made so far goes to the permanent generation: a fork's GC then never walks
    # (and so never copies) the inherited heap.
    if hasattr(gc, "freeze"):
        gc.freeze()
    _launcher = Launcher()
    _signal.signal(SIGTERM, _launcher.shutdown)
    _launcher.send(b"R", 0, b'{"pid":%d}' % _LAUNCHER_PID)
    _forked = _launcher.serve()
    # Only a 'fork' mode child gets here. (The launcher object is left alone: freeing it
    # would write to its pages, each a copy.)
    become_child(*_forked, server_pid=_LAUNCHER_PID, env_drift=_ENV_DRIFT, drop_modules=_DROP_IN_FORK)

"""The launcher loop of python/launcher.py: one poll() over Node's request pipe, the reply
pipe, every script's output pipes and a SIGCHLD wakeup fd; deadlines checked on every turn.
Every script it starts is reaped exactly once and answered exactly once (X or F); what a
finished script left behind is killed when it ends (and named in its X), whatever else runs.
Single-threaded; nothing it does for one script waits on another script's process.
"""
import os
import select
import time

import _signal
from _ergate_child import Child
from _ergate_forkchild import main_module
from _ergate_leftovers import Leftovers
from _ergate_pytest import warm_config
from _ergate_run import check_paths, check_script, prepare_fork
from _ergate_start import ForkFailed, fork_script
from _ergate_sys import has_children, kill_below, kill_group
from _ergate_wire import REPLY_FD, REQ_FD, Replies, Requests, exit_record, readable_utf8

SIGKILL, SIGCHLD = _signal.SIGKILL, _signal.SIGCHLD
POLLHUP = select.POLLHUP
READ_SIZE = 65536
# After a script exits, its pipes are read for at most this much more: all it wrote fits in
# a pipe (1 MiB at most, /proc/sys/fs/pipe-max-size), a descendant still writing is not waited for.
DRAIN_BYTES = 1 << 20
# The most a fork's first moments may delay its S frame and first output (see fork_script):
# long enough for a trivial script to end on a loaded VM (~10 ms of CPU there), so its pages
# are no longer shared when the loop writes them.
SETTLE_S = 0.02


class Launcher:
    def __init__(self, mode, launcher_pid, start_env, width=1, become=None):
        self.mode = mode
        self.become = become  # 'fork' mode: become(req, out_w, err_w) turns a fork into the script
        # More than one script at a time: each is the subreaper of its own tree (see
        # _ergate_leftovers.py), so an orphan here is always an ended script's.
        self.shared = width > 1
        self.leftovers = Leftovers(launcher_pid)
        self.launcher_pid = launcher_pid
        self.start_env = start_env  # what Node started us with: requests carry changes to it
        self.poller = select.poll()
        self.poller.register(REQ_FD, select.POLLIN)
        wake_r, wake_w = os.pipe()
        os.set_blocking(wake_r, False)
        os.set_blocking(wake_w, False)
        self.wake_r = wake_r
        _signal.set_wakeup_fd(wake_w)
        # A Python handler, so the wakeup fd is written; held here too, so a fork that resets
        # SIGCHLD only decrements it (freeing it would write, and so copy, several pages).
        self.on_sigchld = lambda *_: None
        _signal.signal(SIGCHLD, self.on_sigchld)
        self.poller.register(wake_r, select.POLLIN)
        self.requests = Requests()
        self.replies = Replies(self.poller, self.shutdown)
        self.children = {}  # id -> Child
        self.by_pid = {}
        self.by_fd = {}  # output fd -> Child
        self.paused = False

    # --- replies -------------------------------------------------------------------------

    def send(self, kind, ident, payload):
        self.replies.send(kind, ident, payload)
        self.throttle()

    def flush(self):
        self.replies.flush()
        self.throttle()

    def throttle(self):
        # Flow control: while Node is behind on live output, leave the scripts' pipes unread.
        pause = self.replies.backlogged()
        if pause != self.paused:
            self.paused = pause
            for fd, child in self.by_fd.items():
                if child.live:
                    self.poller.modify(fd, 0 if pause else select.POLLIN)

    def send_error(self, ident, text):
        self.send(b"F", ident, readable_utf8(text))

    # --- the loop ------------------------------------------------------------------------

    def serve(self):
        """Runs until EOF, then exits (a fork becomes its script inside fork_script)."""
        poll, by_fd, wake_r, monotonic = self.poller.poll, self.by_fd, self.wake_r, time.monotonic
        # Per-turn state lives in this frame, never on self: in 'fork' mode every attribute
        # written after a fork copies a page.
        while True:
            soonest = self.soonest()
            timeout = None if soonest is None else min(max(0, int((soonest - monotonic()) * 1000) + 1), 2 ** 31 - 1)
            requested = False
            for fd, events in poll(timeout):
                if fd in by_fd:  # the scripts' pipes: most events (REQ_FD, wake_r, REPLY_FD never are)
                    self.pump(fd, events)
                elif fd == REQ_FD:
                    self.read_requests()
                    requested = True  # a start (timeout 0) or a stop (grace 0) may be due at once
                elif fd == wake_r:
                    try:
                        # A short read emptied the pipe: no second read (and no
                        # BlockingIOError) on the common path; a signal after it wakes poll again.
                        while len(os.read(wake_r, 4096)) == 4096:
                            pass
                    except BlockingIOError:
                        pass
                    self.reap()
                elif fd == REPLY_FD:
                    self.flush()
            # Deadlines are walked only once one is due, or after requests (which may have
            # started or stopped runs).
            if requested or soonest is not None:
                now = monotonic()
                if requested or now >= soonest:
                    for child in list(self.children.values()):
                        child.check_deadline(now)

    def soonest(self):
        """The soonest deadline or kill_at of a child (time.monotonic()), None when none has one."""
        soonest = None
        for child in self.children.values():
            at = child.deadline
            if at is not None and (soonest is None or at < soonest):
                soonest = at
            at = child.kill_at
            if at is not None and (soonest is None or at < soonest):
                soonest = at
        return soonest

    def read_requests(self):
        if not self.requests.read():
            self.shutdown()
        while True:
            req = self.requests.pop()
            if req is None:
                return
            if req["op"] == "stop":
                child = self.children.get(req["id"])
                if child is not None:
                    child.begin_stop("request")
                continue
            try:
                self.start(req)
            except Exception as exc:  # one bad request is that run's error, never the launcher's end
                self.send_error(req["id"], "could not start the script: %s: %s" % (type(exc).__name__, exc))

    # --- starting and output -------------------------------------------------------------

    def start(self, req):
        ident = req["id"]
        req["subreaper"] = self.shared
        settle = 0.0
        if self.mode == 'fork':
            problem = prepare_fork(req)
            if not problem:
                main_module(req)
                req["pytestWarm"] = warm_config(req, self.start_env)
            # Sitting still after a fork (see fork_script) only while no other script of
            # ours needs its output read or its deadline kept, and no request waits.
            if not (self.children or self.requests.waiting()):
                timeout = req.get("timeoutMs", -1)  # never past the script's own deadline
                settle = SETTLE_S if timeout < 0 else min(SETTLE_S, timeout / 1000.0)
        else:
            # One stat on the common path; the working folder is checked (and any failure
            # worded) by check_paths only once the exec failed.
            problem = check_script(req["script"], req["cwd"])
        if problem:
            self.send_error(ident, problem)
            return
        try:
            pid, out, err, failure, exited = fork_script(req, self.mode, self.launcher_pid, self.start_env, settle, self.become)
        except ForkFailed as exc:
            self.send_error(ident, str(exc))
            return
        if failure and self.mode == 'exec':
            failure = check_paths(req["script"], req["cwd"]) or failure
        child = Child(ident, pid, req, out, err)
        self.children[ident] = child
        self.by_pid[pid] = child
        if failure:
            # The child _exits 127 and is reaped as usual; the run reports why.
            child.live = False
            child.deadline = None
            child.failure = failure
        for fd in child.fds:
            os.set_blocking(fd, False)
            self.by_fd[fd] = child
            self.poller.register(fd, 0 if (self.paused and child.live) else select.POLLIN)
        if child.failure is None:
            if exited:
                # It (or something of ours) ended while we settled: reap now, so a short
                # script's S and X frames leave in one write, without another poll turn.
                self.replies.queue(b"S", ident, b'{"pid":%d}' % pid)
                self.reap()
                self.flush()
            else:
                self.send(b"S", ident, b'{"pid":%d}' % pid)

    def pump(self, fd, events):
        child = self.by_fd[fd]
        if events == POLLHUP and not (self.paused and child.live):
            # Polled for POLLIN and given only POLLHUP: empty, and no writer is left (the
            # script ended): EOF, known without a read.
            self.forget(fd)
            return
        try:
            data = os.read(fd, READ_SIZE)
        except BlockingIOError:
            return
        if data:
            kind = child.fds[fd]
            child.captures[kind].push(data)
            if child.live:
                self.send(kind, child.ident, data)
            if events & POLLHUP and len(data) < READ_SIZE:
                self.forget(fd)  # no writer was left and a short read emptied it: EOF
        else:
            self.forget(fd)

    def forget(self, fd):
        child = self.by_fd.pop(fd)
        self.poller.unregister(fd)
        del child.fds[fd]
        os.close(fd)

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
            elif self.finish(child) and not self.by_pid:
                # No child is left (the sweep saw none but scripts, all reaped now): no
                # waitid and its ChildProcessError. One that comes up later raises SIGCHLD.
                return

    def finish(self, child):
        """Reaps and answers a script that ended; True when its sweep saw no child but scripts."""
        # What it left running came up to us when it died: killed (and named) now, and what
        # stayed in its group too, before the reap, never after; then a bounded drain.
        left = self.leftovers.sweep(self.by_pid, child.script)  # None: no child but scripts
        child.kill_remains()
        _, status, usage = os.wait4(child.pid, 0)
        for fd in list(child.fds):
            budget = DRAIN_BYTES
            while budget > 0:
                try:
                    data = os.read(fd, READ_SIZE)
                except BlockingIOError:
                    break
                if not data:
                    break
                budget -= len(data)
                child.captures[child.fds[fd]].push(data)
                if child.live:
                    self.send(child.fds[fd], child.ident, data)
            self.forget(fd)
        del self.children[child.ident]
        del self.by_pid[child.pid]
        if child.failure is not None:
            self.send_error(child.ident, child.failure)
        else:
            self.send(b"X", child.ident, exit_record(child, status, usage, left))
        return left is None

    def shutdown(self, *_):
        # Node is gone or closed us: kill every tree (setsid descendants too, found while the
        # children still hold the ppid chains), reap, exit. With no child at all there is no
        # descendant either (an orphan below us would be our child: we are its subreaper).
        if has_children():
            kill_below(self.launcher_pid)
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

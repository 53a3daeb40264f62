"""How python/launcher.py starts a script's process: its stdout/stderr pipes; in 'exec' mode
a vfork + exec when nothing has to run between them (_ergate_spawn.py), else a fork with
SIGTERM and SIGCHLD blocked across it (the launcher's handlers must never run in a script);
in 'exec' mode the wait for the exec (or its failure) before the run is reported started.
A child never returns from here: it execs, or becomes its script in place ('fork' mode).
"""
import errno
import os
import sys

import _signal
from _ergate_execchild import exec_child
from _ergate_spawn import can_spawn, spawn
from _ergate_sys import read_to_eof

SIGTERM, SIGCHLD = _signal.SIGTERM, _signal.SIGCHLD


class ForkFailed(Exception):
    """fork(2) itself failed (EAGAIN, ENOMEM): that run's error, in plain words."""


def fork_script(req, mode, launcher_pid, start_env, settle=0.0, become=None):
    """Forks the process that becomes the script. In the launcher: (pid, out_r, err_r,
    failure, exited), failure being why the exec failed ('exec' mode) or None, exited whether
    a SIGCHLD came while it settled (the caller then reaps at once: no wakeup is raised for
    it). The child never returns: it execs ('exec' mode) or calls become(req, out_w, err_w)
    right here ('fork' mode; unwinding the loop's frames would write, and so copy, ~40 pages).
    settle: in 'fork' mode, how long (s) this process may sit still while the new child runs
    (see below)."""
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    if mode == 'exec' and can_spawn(req):
        try:
            started = spawn(req, out_w, err_w, start_env)
        except OSError as exc:  # vfork itself failed (EAGAIN, ENOMEM)
            close_all(out_r, out_w, err_r, err_w)
            raise fork_failed(exc)
        if started is not None:
            os.close(out_w)
            os.close(err_w)
            pid, failure = started
            return pid, out_r, err_r, failure and describe_exec_failure(req["python"], failure), False
    report_r, report_w = os.pipe() if mode == 'exec' else (-1, -1)
    sys.stdout.flush()
    sys.stderr.flush()
    # SIGTERM and SIGCHLD stay blocked across fork until the child has reset them: this
    # process's handlers, run in a child, would act on every other script.
    _signal.pthread_sigmask(_signal.SIG_BLOCK, (SIGTERM, SIGCHLD))
    try:
        pid = os.fork()
    except OSError as exc:
        _signal.pthread_sigmask(_signal.SIG_UNBLOCK, (SIGTERM, SIGCHLD))
        close_all(out_r, out_w, err_r, err_w, report_r, report_w)
        raise fork_failed(exc)
    if pid == 0:
        if mode == 'exec':
            exec_child(req, out_w, err_w, report_w, launcher_pid, start_env)
        try:
            become(req, out_w, err_w)
        except BaseException as exc:  # never up into the loop's frames: this is no launcher
            sys.excepthook(type(exc), exc, exc.__traceback__)
            sys.stderr.flush()
        os._exit(1)
    exited = False
    if settle and mode == 'fork':
        # Every page this process writes while its fork still shares it is copied (~1 ms of
        # CPU a script on a VM, PERFORMANCE.md "Issue 28"). A short script is often done
        # within a few ms: until it is (or `settle` passes) write nothing, waiting for its
        # SIGCHLD, which is still blocked here and so consumed; the caller reaps at once.
        exited = _signal.sigtimedwait((SIGCHLD,), settle) is not None
    _signal.pthread_sigmask(_signal.SIG_UNBLOCK, (SIGTERM, SIGCHLD))
    try:
        os.setpgid(pid, pid)  # also done in the child: whichever runs first wins the race
    except OSError:
        pass
    os.close(out_w)
    os.close(err_w)
    failure = None
    if mode == 'exec':
        failure = read_exec_failure(report_r, report_w, req["python"])
    return pid, out_r, err_r, failure, exited


def close_all(*fds):
    for fd in fds:
        if fd >= 0:
            os.close(fd)


def fork_failed(exc):
    name = errno.errorcode.get(exc.errno, str(exc.errno))
    return ForkFailed("fork failed (%s): %s" % (name, exc.strerror))


def read_exec_failure(report_r, report_w, python):
    """Why the child's exec failed, or None once it succeeded (EOF: the pipe is close-on-exec)."""
    os.close(report_w)
    failure = read_to_eof(report_r)
    if not failure:
        return None
    return describe_exec_failure(python, failure.decode("utf-8", "replace"))


def describe_exec_failure(python, reason):
    return "could not start python interpreter '%s': %s" % (python, reason)

"""How python/launcher.py forks a script's process: its stdout/stderr pipes, SIGTERM and
SIGCHLD blocked across the fork (the launcher's handlers must never run in a script), and in
'exec' mode the wait for the exec (or its failure) before the run is reported started.
"""
import errno
import os
import sys

import _signal
from _ergate_execchild import exec_child

SIGTERM, SIGCHLD = _signal.SIGTERM, _signal.SIGCHLD


class ForkFailed(Exception):
    """fork(2) itself failed (EAGAIN, ENOMEM): that run's error, in plain words."""


def fork_script(req, mode, launcher_pid, start_env):
    """Forks the process that becomes the script. In the launcher: (pid, out_r, err_r,
    failure), failure being why the exec failed ('exec' mode) or None. In a 'fork' mode
    child: (0, out_w, err_w, None). An 'exec' mode child never returns."""
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
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
        for fd in (out_r, out_w, err_r, err_w, report_r, report_w):
            if fd >= 0:
                os.close(fd)
        name = errno.errorcode.get(exc.errno, str(exc.errno))
        raise ForkFailed("fork failed (%s): %s" % (name, exc.strerror))
    if pid == 0:
        if mode == 'exec':
            exec_child(req, out_w, err_w, report_w, launcher_pid, start_env)
        return 0, out_w, err_w, None
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
    return pid, out_r, err_r, failure


def read_exec_failure(report_r, report_w, python):
    """Why the child's exec failed, or None once it succeeded (EOF: the pipe is close-on-exec)."""
    os.close(report_w)
    failure = b""
    while True:
        data = os.read(report_r, 4096)
        if not data:
            break
        failure += data
    os.close(report_r)
    if not failure:
        return None
    return "could not start python interpreter '%s': %s" % (python, failure.decode("utf-8", "replace"))

"""The keeper half of python/launcher.py: the process Node started, parent of the launcher
loop and subreaper of everything below it. It does nothing but wait, so whichever of the two
is killed, the other cleans up: the launcher loop dies with the keeper (PR_SET_PDEATHSIG) and
kills its script trees; if the loop dies, every orphan of its scripts comes up to the keeper,
which kills and reaps the whole tree, then exits. Setsid descendants included.
"""
import os
import _signal

from _ergate_sys import has_children, kill_below


def keep(loop_pid, reply_fds):
    for fd in reply_fds:
        os.close(fd)  # Node's EOF on the reply pipe must mean the loop is gone
    _signal.signal(_signal.SIGTERM, lambda *_: finish(0))  # Node died (our PR_SET_PDEATHSIG)
    while True:
        try:
            pid, status = os.waitpid(-1, 0)
        except ChildProcessError:
            os._exit(0)
        if pid == loop_pid:
            finish(0 if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0 else 1)


def finish(code):
    # Everything below us: snapshotted before anything dies, so chains still lead to it all.
    # No child at all means nothing below us (we are the subreaper of every orphan).
    if has_children():
        kill_below(os.getpid())
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            break
    os._exit(code)

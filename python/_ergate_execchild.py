"""The forked child's side of python/launcher.py in 'exec' mode: between fork and exec, set
the process group, PR_SET_PDEATHSIG (SIGKILL), default signals and mask, stdin /dev/null,
the script's pipes, cwd, rlimits and its exact environment, then exec `python script args`.
An exec that fails writes its reason to report_w (close-on-exec) and exits 127.
"""
import errno
import os

import _signal
from _ergate_forkchild import set_limits
from _ergate_run import script_argv, script_env
from _ergate_sys import PR_SET_CHILD_SUBREAPER, PR_SET_PDEATHSIG, prctl

SIGKILL, SIGTERM, SIGCHLD = _signal.SIGKILL, _signal.SIGTERM, _signal.SIGCHLD


def exec_child(req, out_w, err_w, report_w, launcher_pid, start_env):
    """In the forked child, 'exec' mode: become `python script.py args` with a clean slate."""
    try:
        os.setpgid(0, 0)
        prctl(PR_SET_PDEATHSIG, SIGKILL)
        if os.getppid() != launcher_pid:  # the launcher died before the line above took effect
            os._exit(128 + SIGKILL)
        if req.get("subreaper"):  # a shared launcher (kept across exec): see _ergate_leftovers.py
            prctl(PR_SET_CHILD_SUBREAPER, 1)
        for sig in (SIGTERM, SIGCHLD, _signal.SIGPIPE, getattr(_signal, "SIGXFSZ", SIGTERM)):
            _signal.signal(sig, _signal.SIG_DFL)
        _signal.pthread_sigmask(_signal.SIG_SETMASK, ())
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(out_w, 1)
        os.dup2(err_w, 2)
        os.chdir(req["cwd"])
        set_limits(req)
        python = req["python"]
        os.execve(python, [python] + script_argv(req), script_env(start_env, req))
    except BaseException as exc:
        code = getattr(exc, "errno", None)
        name = errno.errorcode.get(code, "") if code else ""
        text = "%s: %s" % (name, getattr(exc, "strerror", None) or exc) if name else str(exc)
        try:
            os.write(report_w, text.encode("utf-8", "backslashreplace"))
        finally:
            os._exit(127)

"""The fast 'exec' start of python/launcher.py: `python script.py args` through CPython's own
_posixsubprocess.fork_exec, which vforks (3.11+): no copy of the launcher's page tables and
no Python code in the child (~1 ms less CPU a script). The child gets its own process group,
default signals and mask, stdin /dev/null, the script's pipes, cwd and its exact environment.
Not PR_SET_PDEATHSIG: the keeper (a subreaper) or the loop, whichever outlives the other,
kills the tree. Runs with rlimits or as a subreaper (a shared launcher's), and interpreters
whose fork_exec takes other arguments (before 3.11), go through _ergate_execchild.py instead.
"""
import errno
import os
import sys

from _ergate_run import JUNIT_VAR, script_argv, script_env
from _ergate_sys import read_to_eof

try:
    from _posixsubprocess import fork_exec
except ImportError:  # a build without it: every run takes the fork path
    fork_exec = None
_USABLE = [fork_exec is not None and sys.version_info >= (3, 11)]

_DEVNULL = []  # stdin of every script, opened once (close-on-exec; dup2 makes fd 0 inheritable)
_ENV_CACHE = [None, None]  # (key, env list) of the last environment built


def can_spawn(req):
    """Whether this run can start without Python code between fork and exec."""
    return (_USABLE[0] and req.get("memoryLimitMb") is None and req.get("cpuTimeLimitS") is None
            and not req.get("subreaper"))


def env_list(start_env, req):
    """The script's environment as fork_exec takes it; rebuilt only when the changes differ.
    The run's own $ERGATE_JUNIT_XML (a new path each run) is added to the cached list."""
    junit = req.get("junitXml")
    env_set = req["envSet"]
    key = (tuple(req["envUnset"]), tuple(sorted(env_set.items())) if env_set else (), junit is None)
    if _ENV_CACHE[0] != key:
        env = script_env(start_env, req, with_junit=False)
        _ENV_CACHE[:] = [key, [os.fsencode(k) + b"=" + os.fsencode(v) for k, v in env.items()]]
    if junit is None:
        return _ENV_CACHE[1]
    return _ENV_CACHE[1] + [_JUNIT_PREFIX + os.fsencode(junit)]


_JUNIT_PREFIX = JUNIT_VAR.encode() + b"="


def spawn(req, out_w, err_w, start_env):
    """Starts the script (vfork + exec). Returns (pid, failure): failure is why the exec (or
    the chdir before it) failed, in plain words, the child then exiting 255; else None.
    None when this interpreter's fork_exec takes other arguments (nothing was started)."""
    if not _DEVNULL:
        _DEVNULL.append(os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC))
    python = os.fsencode(req["python"])
    argv = [python] + [os.fsencode(a) for a in script_argv(req)]
    report_r, report_w = os.pipe()
    try:
        pid = fork_exec(
            argv, [python], False, (), req["cwd"], env_list(start_env, req),
            _DEVNULL[0], -1, -1, out_w, -1, err_w, report_r, report_w,
            True, False, 0,  # restore SIGPIPE/SIGXFSZ; no setsid; process group = its pid
            None, None, None, -1, None, True)  # gid, groups, uid, umask: unchanged; no preexec; vfork
    except TypeError:  # a 3.11.x without allow_vfork, say: checked before any fork
        _USABLE[0] = False
        os.close(report_r)
        return None
    except BaseException:  # vfork failed (EAGAIN, ENOMEM): nothing started
        os.close(report_r)
        raise
    finally:
        os.close(report_w)
    return pid, describe_failure(read_to_eof(report_r))


def describe_failure(report):
    """fork_exec's 'Exception:hex errno:detail' as 'ENOENT: No such file or directory'."""
    if not report:
        return None
    parts = report.split(b":", 2)
    try:
        code = int(parts[1], 16)
    except (IndexError, ValueError):
        return report.decode("utf-8", "replace")
    if code:
        return "%s: %s" % (errno.errorcode.get(code, str(code)), os.strerror(code))
    return parts[-1].decode("utf-8", "replace")

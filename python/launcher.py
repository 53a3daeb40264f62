"""ergate launcher: the small process that starts, times and reaps every Python script.

Started by src/script/launcher/launcher.ts, about one per core, as
`python launcher.py <exec|fork> <node pid> <width> [preload...]` (width: the most scripts it
runs at once). In 'exec' mode each script is a fresh `python script.py` (fork, then exec); in
'fork' mode a fork of this warm interpreter. Either way this process is the script's parent:
it sets the script's process group (and, unless it vforks, PR_SET_PDEATHSIG and rlimits)
between fork and exec, enforces its deadline (so a busy Node event loop never delays a
timeout), keeps the bounded head and tail of its output, kills its tree (SIGTERM, grace,
SIGKILL, setsid descendants found in /proc), reaps it with wait4 and sends the exit with its
rusage. As a subreaper it also kills, and names, what a script left behind when it ends.
It dies with Node (EOF on its request pipe, or SIGTERM, its PR_SET_PDEATHSIG) and takes every
script tree with it. This file starts the process (imports, preloads, the keeper split);
the loop is _ergate_loop.py, the wire format _ergate_wire.py.

ergate's own imports come from the standard library only, whatever sys.path holds, and are
taken out of sys.modules again before any preload, so a fork sees what python would. Every
_ergate_ module imports only at its top, so all of them load inside the guard below.
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
# ergate's own modules are cached as bytecode even under PYTHONDONTWRITEBYTECODE (which is
# for the user's code): compiling them from source would cost every launcher start ~5 ms.
_saved_dont_write = sys.dont_write_bytecode
sys.dont_write_bytecode = False
try:
    import _signal
    import gc
    from _ergate_forkchild import become_child
    from _ergate_keeper import keep
    from _ergate_loop import Launcher
    from _ergate_sys import PR_SET_CHILD_SUBREAPER, PR_SET_PDEATHSIG, prctl
    from _ergate_wire import REPLY_FD, REQ_FD, frame
finally:
    sys.path[:] = _saved_path
    sys.dont_write_bytecode = _saved_dont_write
# Kept referenced by this module, gone from sys.modules: a preload or a script that imports
# one of these names resolves it as plain python would (the user's resource.py, say). Except
# `resource`: os.wait4 imports it on every call, so this process keeps the real one; each
# fork drops it before the script runs.
_DROP_IN_FORK = [n for n in ("resource",) if n not in _STARTUP_MODULES]
for _name in set(sys.modules) - _STARTUP_MODULES - set(_DROP_IN_FORK):
    del sys.modules[_name]

MODE = sys.argv[1]
NODE_PID = int(sys.argv[2])
WIDTH = int(sys.argv[3])
_START_ENV = dict(os.environ)  # what Node started us with: requests carry changes to it
SIGTERM = _signal.SIGTERM


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


_PRELOAD_ERROR = preload([n for n in sys.argv[4:] if n]) if MODE == 'fork' else None
# Variables the preloads set, changed or removed: every fork puts them back as Node sent them.
_ENV_DRIFT = {k: _START_ENV.get(k) for k in set(_START_ENV) | set(os.environ) if _START_ENV.get(k) != os.environ.get(k)}


def become(req, out_w, err_w):
    """In a 'fork' mode child, from inside the loop (whose frames it never unwinds, nor
    frees the launcher object: each would write to, and so copy, a page): the script."""
    become_child(req, out_w, err_w, _ENV_DRIFT, _DROP_IN_FORK)


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
    # A process group of its own: a signal to Node's group (Ctrl-C in a terminal, a group
    # kill) never takes keeper and loop down together, so one is always left to kill the
    # script trees (a spawn-mode script has no PR_SET_PDEATHSIG of its own: _ergate_spawn.py).
    os.setpgid(0, 0)
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
        os.write(REPLY_FD, frame(b"F", 0, msg))
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
    _launcher = Launcher(MODE, _LAUNCHER_PID, _START_ENV, WIDTH, become)
    # What a fork replaces (handlers, argv, __main__, sys.path[0]) stays referenced here, so
    # the fork only decrements it: freeing it would write, and so copy, several pages a fork.
    _on_term = _launcher.shutdown
    _KEPT = (_on_term, sys.argv, sys.modules["__main__"], sys.path[0])
    _signal.signal(SIGTERM, _on_term)
    _launcher.send(b"R", 0, b'{"pid":%d}' % _LAUNCHER_PID)
    _launcher.serve()

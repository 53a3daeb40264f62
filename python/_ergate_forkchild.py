"""The forked child's side of python/launcher.py in 'fork' mode: turn a fork of the warm
interpreter into `python script.py`. Isolates the child (own process group, the script's
stdout/stderr pipes, no inherited fds, default signals),
applies cwd, env, argv and rlimits, runs the script as __main__ and exits the way python
would: same status, same printed errors, threads joined, atexit run. Never returns.
"""
import _signal
import atexit  # imported here, in the server, so that no fork pays for creating it
import builtins
import os
import resource
import sys
from _frozen_importlib_external import SourceFileLoader  # what importlib.machinery re-exports

from _ergate_pytest import run_warm
from _ergate_run import JUNIT_VAR
from _ergate_sys import PR_SET_CHILD_SUBREAPER, prctl

SIGKILL, SIGTERM, SIGINT, SIGCHLD = _signal.SIGKILL, _signal.SIGTERM, _signal.SIGINT, _signal.SIGCHLD
# Frames of these files are ergate's, hidden from the script's tracebacks.
_OWN_FILES = {os.path.join(os.path.dirname(os.path.abspath(__file__)), name) for name in ("_ergate_forkchild.py", "_ergate_pytest.py", "_ergate_run.py", "launcher.py")}


# The launcher's open-file limit, read once here in the server: no fork calls getrlimit.
_FD_LIMIT = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
if _FD_LIMIT == resource.RLIM_INFINITY or _FD_LIMIT > 1 << 20:
    _FD_LIMIT = 1 << 20


def become_child(req, out_w, err_w, env_drift, drop_modules):
    """In the forked child: isolate, apply the script's settings, then run it as __main__.

    Every object the child touches costs a copy of its page (copy-on-write), so the child
    does only what the script can observe; the server already compiled the script and made
    its __main__ module and argv (prepare_fork). No PR_SET_PDEATHSIG (a prctl through
    _ctypes copies ~20 pages): as for a vforked script, whichever of keeper and loop outlives
    the other kills the tree (_ergate_keeper.py).
    """
    os.setpgid(0, 0)
    if req["subreaper"]:  # a shared launcher: what this script orphans stays below it
        prctl(PR_SET_CHILD_SUBREAPER, 1)
    # _signal, not signal: the signal module's wrappers build enum members (~65 pages copied).
    _signal.set_wakeup_fd(-1)
    _signal.signal(SIGTERM, _signal.SIG_DFL)
    _signal.signal(SIGCHLD, _signal.SIG_DFL)
    _signal.pthread_sigmask(_signal.SIG_UNBLOCK, (SIGTERM, SIGCHLD))
    os.dup2(out_w, 1)
    os.dup2(err_w, 2)
    os.closerange(3, _FD_LIMIT)
    os.chdir(req["cwd"])
    environ = os.environ
    if env_drift:
        for name, value in env_drift.items():
            if value is None:
                environ.pop(name, None)
            else:
                environ[name] = value
    if req["envUnset"]:
        for name in req["envUnset"]:
            environ.pop(name, None)
    if req["envSet"]:
        for name, value in req["envSet"].items():
            environ[name] = value
    junit = req.get("junitXml")
    if junit is not None:
        environ[JUNIT_VAR] = junit
    imports = req.get("importsFile")
    if imports:
        _IMPORTS_FILE.append(imports)
    if req.get("memoryLimitMb") or req.get("cpuTimeLimitS"):
        set_limits(req)
    module = req.get("module")
    # `python -m`: argv[0] becomes the module's file (runpy sets it), sys.path[0] the cwd.
    sys.argv = req["argv"]
    sys.path[0] = os.getcwd() if module else req["dir"]
    # Popped but still referenced: a module freed here would free (and so copy) its pages.
    global _DROPPED
    _DROPPED = [sys.modules.pop(name, None) for name in drop_modules] if drop_modules else None
    main = req["main"]
    sys.modules["__main__"] = main
    run_main(req["code"], req["script"], main.__dict__, module, req.get("pytestWarm"))


def main_module(req):
    """In the server, before the fork: the script's __main__ module and sys.argv, as
    `python script.py args` (`python -m module args`) makes them, so no fork builds them (and,
    when the child lists its imports, the server's own modules' lines)."""
    path = req["script"]
    module = req.get("module")
    req["argv"] = (["-m"] if module else []) + [path] + list(req["args"])
    main = type(sys)("__main__")
    main.__builtins__ = builtins
    if not module:
        main.__file__ = path
        main.__cached__ = None
        main.__loader__ = SourceFileLoader("__main__", path)
    req["main"] = main
    if req.get("importsFile"):
        snapshot_imports()


def set_limits(req):
    """RLIMIT_DATA and RLIMIT_CPU of the request (both start methods apply them here, in
    the child, before the script or the exec): SIGXCPU at the CPU limit, SIGKILL 1 s later."""
    if req.get("memoryLimitMb"):
        limit = int(req["memoryLimitMb"]) * 1024 * 1024
        hard = resource.getrlimit(resource.RLIMIT_DATA)[1]
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    if req.get("cpuTimeLimitS"):
        soft = int(req["cpuTimeLimitS"])
        hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
        want = soft + 1 if hard == resource.RLIM_INFINITY else min(soft + 1, hard)
        resource.setrlimit(resource.RLIMIT_CPU, (min(soft, want), want))


def run_main(code, path, namespace, module=None, warm=None):
    """Runs the script (or the module as __main__; pytest on the server's configuration when
    `warm`, see _ergate_pytest.py); exit status and printed errors match `python script.py`
    (`python -m module`)."""
    interrupted = False
    try:
        if warm is not None:
            sys.argv[0] = os.path.join(os.path.dirname(sys.modules["pytest"].__file__), "__main__.py")
            run_warm(warm, path, sys.argv[1:])
        elif module:
            import runpy  # as `python -m` does; it finds, imports and runs the module

            runpy._run_module_as_main(module)
        else:
            if code is None:  # it warns, or is big: compiled here, where a warning is the script's
                with open(path, "rb") as handle:
                    code = compile(handle.read(), path, "exec", dont_inherit=True)
            elif isinstance(code, BaseException):
                raise code  # the server could not read or compile the script
            exec(code, namespace)
        status = 0
    except SystemExit as exc:
        status = exit_status(exc)
    except BaseException as exc:
        tb = exc.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename in _OWN_FILES:
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


_IMPORTS_FILE = []  # where to list the child's modules at its end (--preload auto learns from it)
# The server's own modules as write_imports' lines: (how many, the last name, the text), made in
# the server before a fork that lists its imports, remade only when sys.modules changed. The
# child then walks only the modules it added (at the end of sys.modules): touching each of the
# server's ~1,000 modules would copy a page per module (~2,200 faults, 45 ms a file measured).
_SERVER_IMPORTS = [(0, None, "")]


def _newest_first(modules):
    """sys.modules' names, the last imported first (dicts are reversible from Python 3.8)."""
    try:
        return reversed(modules)
    except TypeError:
        return reversed(list(modules))


def _import_lines(pairs):
    lines = []
    for name, module in pairs:
        file = getattr(module, "__file__", None)
        if "." not in name and isinstance(file, str):
            lines.append("%s\t%s\n" % (name, file))
    return "".join(lines)


def snapshot_imports():
    """In the server, before the fork of a request with importsFile."""
    modules = sys.modules
    last = next(_newest_first(modules), None)
    count, known_last, _ = _SERVER_IMPORTS[0]
    if count != len(modules) or known_last != last:
        _SERVER_IMPORTS[0] = (len(modules), last, _import_lines(list(modules.items())))


def write_imports(path):
    """The top-level modules loaded from a file, `name<TAB>file` a line; never fails the script."""
    try:
        modules = sys.modules
        _, last, text = _SERVER_IMPORTS[0]
        added = []
        for name in _newest_first(modules):  # what the child imported comes after the server's last
            if name == last:
                break
            added.append(name)
        else:  # the server's last module is gone: every module is listed from here
            text = ""
        text += _import_lines([(name, modules.get(name)) for name in reversed(added)])
        with open(path, "w", encoding="utf-8", errors="replace") as handle:
            handle.write(text)
    except BaseException:
        pass


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
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except BaseException:
            status = 120  # python's status when flushing stdout fails at exit
    if _IMPORTS_FILE:
        write_imports(_IMPORTS_FILE[0])
    if interrupted:  # python exits through SIGINT after an uncaught KeyboardInterrupt
        _signal.signal(SIGINT, _signal.SIG_DFL)
        os.kill(os.getpid(), SIGINT)
    os._exit(status)

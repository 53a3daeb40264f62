"""pytest mode's warm start in a fork server: pytest's configuration (argument parsing, plugin
loading, the rootdir's conftests) made once per launcher and argument list, in the server, so
each forked child only collects and runs its one file, as `python -m pytest FILE ARGS` would.

Used only when the server preloaded pytest and the run names its --rootdir (then nothing in
the configuration depends on the file). A configuration is first made in a throwaway fork: one
that fails, takes too long, leaves a thread running (a fork of a threaded server is unsafe) or
picks up test paths of its own is never made in the server, and its runs go through
`python -m pytest` as before. Imports only the standard library at its top; pytest's own
modules are imported only when pytest is already loaded.
"""
import gc
import os
import select
import sys

import _signal
from _ergate_run import script_env

_JUNIT = "--junitxml="
_PROBE_S = 30.0  # the longest a configuration may take in the throwaway fork
_prepared = {}  # key -> (config, capture manager, sys.path, sys.meta_path), or None: run that key the plain way


def warm_config(req, start_env):
    """In the server, before the fork: (config, capture manager, sys.path, sys.meta_path, junit
    path) for a pytest run that can start warm, else None."""
    if req.get("module") != "pytest" or "pytest" not in sys.modules:
        return None
    args = list(req["args"])
    junit = None
    if args and args[0].startswith(_JUNIT):  # ergate's own, first (a later one of the user's wins)
        junit = args.pop(0)[len(_JUNIT):]
    # Without pidfd_open (Python < 3.9, or an old kernel) the throwaway fork could not be timed out.
    if "--rootdir" not in args[:-1] or not hasattr(os, "pidfd_open"):
        return None
    key = (req["cwd"], tuple(args), tuple(sorted(req["envSet"].items())), tuple(sorted(req["envUnset"])))
    if key not in _prepared:
        env = script_env(start_env, req, with_junit=False)
        rootdir = args[args.index("--rootdir") + 1]
        made = (args + [rootdir], rootdir, req["cwd"], env)
        _prepared[key] = _prepare(*made) if _probe(*made) else None
    prepared = _prepared[key]
    return None if prepared is None else prepared + (junit,)


def _probe(args, rootdir, cwd, env):
    """True when a configuration made in a throwaway fork succeeds, within _PROBE_S, single-threaded."""
    try:
        pid = os.fork()
    except OSError:
        return False
    if pid == 0:
        try:
            # Nothing of the server's: its SIGTERM handler would kill the server's scripts.
            _signal.set_wakeup_fd(-1)
            for signum in (_signal.SIGTERM, _signal.SIGCHLD):
                _signal.signal(signum, _signal.SIG_DFL)
            os.closerange(3, 1 << 16)
            os.setpgid(0, 0)
            made = _configure(args, rootdir, cwd, env)
            os._exit(0 if made is not None and len(sys._current_frames()) == 1 else 3)
        finally:
            os._exit(4)
    try:
        ok = _wait(pid)
    finally:
        try:
            os.killpg(pid, _signal.SIGKILL)
        except OSError:
            pass
    return ok


def _wait(pid):
    """True when the probe exited 0 within _PROBE_S; reaps it either way."""
    try:
        pidfd = os.pidfd_open(pid)
    except OSError:  # a kernel without pidfd_open: the probe cannot be timed out, so it fails
        os.kill(pid, _signal.SIGKILL)
        os.waitpid(pid, 0)
        return False
    try:
        poller = select.poll()
        poller.register(pidfd, select.POLLIN)
        if not poller.poll(int(_PROBE_S * 1000)):
            os.kill(pid, _signal.SIGKILL)
    finally:
        os.close(pidfd)
    _, status = os.waitpid(pid, 0)
    return os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


def _prepare(args, rootdir, cwd, env):
    """The configuration, made in the server; None if it cannot be used."""
    before = len(sys._current_frames())
    made = _configure(args, rootdir, cwd, env)
    if made is None or len(sys._current_frames()) != before:
        return None
    gc.freeze()  # the configuration joins the permanent generation: no child's GC walks it
    return made


def _configure(args, rootdir, cwd, env):
    """pytest's configuration for `args` (their one positional: the rootdir) in `cwd` under
    `env`, global capture stopped, with the sys.path and sys.meta_path it left (the rootdir's
    conftest folder, the assertion rewriter), which only its children get: the server's cwd,
    environment, import paths and fds 0-2 are put back. None when pytest refuses the arguments
    or they name test paths of their own."""
    from _pytest.config import _prepareconfig  # pytest is loaded already (warm_config)

    saved_cwd, saved_env, saved_path, saved_meta = os.getcwd(), dict(os.environ), sys.path[:], sys.meta_path[:]
    saved_fds = [os.dup(fd) for fd in (0, 1, 2)]
    null = os.open(os.devnull, os.O_RDWR)
    try:
        for fd in (0, 1, 2):
            os.dup2(null, fd)  # what a conftest prints while loading goes nowhere near Node
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env)
        sys.path[0] = cwd  # as `python -m` sets it
        try:
            config = _prepareconfig(list(args))
        except BaseException:
            return None
        capman = config.pluginmanager.getplugin("capturemanager")
        if capman is not None:
            capman.stop_global_capturing()
        if list(map(str, config.args)) != [rootdir]:
            config._ensure_unconfigure()
            return None
        return config, capman, sys.path[:], sys.meta_path[:]
    finally:
        for fd, saved in zip((0, 1, 2), saved_fds):
            os.dup2(saved, fd)
            os.close(saved)
        os.close(null)
        os.environ.clear()
        os.environ.update(saved_env)
        os.chdir(saved_cwd)
        sys.path[:] = saved_path
        sys.meta_path[:] = saved_meta


def run_warm(warm, file, argv):
    """In the forked child: `python -m pytest FILE ARGS` on the server's configuration. Raises
    SystemExit with pytest's exit code, as pytest's __main__ does."""
    config, capman, path, meta_path, junit = warm
    from _pytest.config import ExitCode, UsageError

    sys.path[:] = path
    sys.meta_path[:] = meta_path
    config.args = [file]
    config.option.file_or_dir = [file]
    if junit is not None and not config.option.xmlpath:
        config.option.xmlpath = junit
    params = config.invocation_params
    object.__setattr__(params, "args", tuple(argv))  # frozen: what the plain run would hold
    try:
        try:
            if capman is not None:  # as capture's pytest_load_initial_conftests leaves it
                capman.start_global_capturing()
                capman.suspend_global_capture()
            ret = config.hook.pytest_cmdline_main(config=config)
            try:
                code = ExitCode(ret)
            except ValueError:
                code = ret
        finally:
            config._ensure_unconfigure()
    except UsageError as exc:
        for msg in exc.args:
            sys.stderr.write("ERROR: %s\n\n" % msg)
        code = ExitCode.USAGE_ERROR
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 1
    raise SystemExit(int(code))

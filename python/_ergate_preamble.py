# ergate preamble: runs inside every Python child, in the same interpreter and before the
# user's script (no extra exec). It sets the rlimits, arranges for the child's whole process
# tree to die with its supervisor (fd-3 watcher + PR_SET_PDEATHSIG), reports resource use on
# fd 3 at exit, then runs the script as `python3 script.py args` would: same sys.argv,
# __file__, __name__, sys.path[0], exit code, and tracebacks without the preamble's frames.
#
# Entered through preamble.py (python3 preamble.py <script> [args...], with
# ERGATE_CHILD="v1:<memMiB|->:<cpuS|->:<ppid>"), which imports this module so its bytecode is
# cached in __pycache__ rather than compiled for every script (~0.8 ms each).
# Startup cost is paid per script, so only cheap modules are imported here: no runpy, signal,
# json, ctypes (its package import costs ~1.5 ms; _ctypes alone ~0.4 ms), importlib.machinery.
import os
import sys

# Frames from these files are trimmed from the script's tracebacks (main() adds the stub).
_PREAMBLE_FILES = {__file__}
_MY_PID = os.getpid()
_exc_name = ''


# descendants, prctl and sweep_children also serve the fork server (forkserver.py and
# _ergate_forkchild.py import them from here).


def descendants(*roots):
    # Every live descendant of the roots, from one pass over /proc; the tree is snapshotted
    # before anything is killed, so descendants that left the group with setsid are still
    # found through their ppid.
    children = {}
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open('/proc/' + entry + '/stat', 'rb') as f:
                stat = f.read()
            ppid = int(stat[stat.rindex(b')') + 2:].split(b' ', 2)[1])
        except (OSError, ValueError, IndexError):
            continue  # exited while we looked
        children.setdefault(ppid, []).append(int(entry))
    found, todo = [], list(roots)
    while todo:
        for pid in children.get(todo.pop(), ()):
            found.append(pid)
            todo.append(pid)
    return found


def _kill_tree(*_):
    # The supervisor is gone: nobody will collect output any more, so SIGKILL everything.
    try:
        for pid in descendants(_MY_PID):
            try:
                os.kill(pid, 9)
            except OSError:
                pass
    finally:
        os.killpg(0, 9)


def _watch_fd3():
    # Node never writes to fd 3: read() returns b'' only when every supervisor end is closed
    # (Node process died, even by SIGKILL, or its supervisor thread was terminated).
    try:
        while os.read(3, 4096):
            pass
    except OSError:
        pass
    _kill_tree()


def _report():
    # Registered first, so atexit runs it last. Forked children (os.fork) must not report.
    if os.getpid() != _MY_PID:
        return
    try:
        import resource
        me = resource.getrusage(resource.RUSAGE_SELF)
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = round((me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime) * 1000)
        rss = max(me.ru_maxrss, kids.ru_maxrss)
        os.write(3, ('{"peakRssKb":%d,"cpuTimeMs":%d,"exception":"%s"}\n' % (rss, cpu, _exc_name)).encode())
    except OSError:
        pass


def _set_limits(mem, cpu):
    import resource
    if mem != '-':
        limit = int(mem) * 1024 * 1024
        hard = resource.getrlimit(resource.RLIMIT_DATA)[1]
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    if cpu != '-':
        soft = int(cpu)
        hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
        # SIGXCPU at the soft limit; SIGKILL one second later if the script catches SIGXCPU.
        want = soft + 1 if hard == resource.RLIM_INFINITY else min(soft + 1, hard)
        resource.setrlimit(resource.RLIMIT_CPU, (min(soft, want), want))


_prctl_function = None


def prctl(option, arg):
    # prctl(2) through _ctypes directly: the ctypes package would cost ~1 ms more per script,
    # and would be ~10 more modules in the fork server's heap for every fork to map and copy.
    global _prctl_function
    if _prctl_function is None:
        import _ctypes

        class _Int(_ctypes._SimpleCData):
            _type_ = 'i'

        class _Function(_ctypes.CFuncPtr):
            _flags_ = _ctypes.FUNCFLAG_CDECL
            _restype_ = _Int

        class _Libc:
            _handle = _ctypes.dlopen(None, 0)

        _prctl_function = _Function(('prctl', _Libc))
    return _prctl_function(option, arg, 0, 0, 0)


def _guard_parent(parent):
    import _signal
    import _thread
    try:
        os.set_inheritable(3, False)
        _thread.start_new_thread(_watch_fd3, ())
    except OSError:
        pass  # no fd 3: run without the watcher (e.g. the preamble started by hand)
    # A dedicated real-time signal, so SIGTERM keeps its default meaning for the script.
    deathsig = _signal.SIGRTMIN + 4
    _signal.signal(deathsig, _kill_tree)
    try:
        prctl(1, deathsig)  # PR_SET_PDEATHSIG
    except (ImportError, OSError, AttributeError):
        pass
    if parent and os.getppid() != parent:
        _kill_tree()  # the supervisor died before prctl took effect


def _trim(tb):
    while tb is not None and tb.tb_frame.f_code.co_filename in _PREAMBLE_FILES:
        tb = tb.tb_next
    return tb


def _run(script):
    global _exc_name
    with open(script, 'rb') as f:
        source = f.read()
    main = type(sys)('__main__')
    main.__file__ = script
    import builtins
    main.__builtins__ = builtins
    main.__cached__ = None
    try:
        # The class importlib.machinery re-exports, without importing importlib (~0.5 ms).
        from _frozen_importlib_external import SourceFileLoader
    except ImportError:
        from importlib.machinery import SourceFileLoader
    main.__loader__ = SourceFileLoader('__main__', script)
    sys.modules['__main__'] = main
    try:
        exec(compile(source, script, 'exec'), main.__dict__)
    except SystemExit:
        raise
    except BaseException as exc:
        _exc_name = type(exc).__name__
        exc.__traceback__ = _trim(exc.__traceback__)
        sys.excepthook(type(exc), exc, exc.__traceback__)
        if isinstance(exc, KeyboardInterrupt):
            import _signal
            sys.stdout.flush()
            sys.stderr.flush()
            _signal.signal(2, _signal.SIG_DFL)
            os.kill(os.getpid(), 2)
        sys.exit(1)


def _sweep():
    # Runs after the script's own atexit handlers. Forked children (os.fork) must not sweep.
    if os.getpid() == _MY_PID:
        sweep_children(_MY_PID)


def sweep_children(me):
    # The script is ending: whatever it started and left running (even a setsid daemon, which
    # killpg misses) would outlive it as a stray. Kill and reap it all, within 2 s.
    try:
        # Cheap check first, one syscall: ECHILD means no child at all (live or zombie), of
        # any thread. (Reading /proc/self/task/*/children instead cost the parent Node process
        # ~2 ms of system time per script; reaping a zombie here is harmless, we are exiting.)
        try:
            os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        # Become their subreaper first: each killed process's orphans then come to us, not to a
        # pid 1 that may never reap them, and every one is reaped here (bounded, never a hang).
        try:
            prctl(36, 1)  # PR_SET_CHILD_SUBREAPER
        except (ImportError, OSError, AttributeError):
            pass
        import time
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline:
            for pid in descendants(me):
                try:
                    os.kill(pid, 9)
                except OSError:
                    pass
            try:
                while os.waitpid(-1, os.WNOHANG)[0] > 0:
                    pass
            except ChildProcessError:
                return  # no child left, live or zombie
            time.sleep(0.002)
    except OSError:
        pass


def main(stub):
    _PREAMBLE_FILES.add(stub)
    config = os.environ.pop('ERGATE_CHILD', 'v1:-:-:0').split(':')
    import atexit
    atexit.register(_report)
    atexit.register(_sweep)
    _set_limits(config[1], config[2])
    _guard_parent(int(config[3]))
    script = sys.argv[1]
    del sys.argv[0]
    sys.path[0] = os.path.dirname(os.path.realpath(script))
    _run(script)


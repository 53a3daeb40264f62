"""What python/launcher.py does for a script outside its process: the path checks and the
bounded, non-blocking read and compile done before the fork, the environment an exec'd
script gets, and how its wait status reads. Imported only with a standard-library-only
sys.path (see launcher.py).
"""
import os
import sys
from stat import S_ISDIR, S_ISREG


# Where the request names the run's JUnit file: set on top of every other variable.
JUNIT_VAR = "ERGATE_JUNIT_XML"


def script_env(start_env, req, with_junit=True):
    """The environment an exec'd script gets: the launcher's start environment with the
    request's changes (envUnset, then envSet, then $ERGATE_JUNIT_XML when it names one;
    with_junit=False leaves that variable out, for a caller that adds it itself)."""
    env = dict(start_env)
    for name in req["envUnset"]:
        env.pop(name, None)
    env.update(req["envSet"])
    junit = req.get("junitXml")
    if junit is not None:
        if with_junit:
            env[JUNIT_VAR] = junit
        else:
            env.pop(JUNIT_VAR, None)
    return env


def script_argv(req):
    """argv after the interpreter: `script args...`, or `-m module script args...`."""
    module = req.get("module")
    head = ["-m", module, req["script"]] if module else [req["script"]]
    return head + list(req["args"])


def prepare_fork(req):
    """'fork' mode: sets req["code"] and req["dir"] (sys.path[0]) of the script; returns why
    it cannot run, or None. Never blocks the launcher, and bounds what it reads: the script is
    opened non-blocking (a FIFO named x.py opens at once, and is refused as no regular file),
    and one over COMPILE_BYTES is left to its fork to read and compile, under its deadline.
    A module run compiles nothing here: the child imports the module as `python -m` would."""
    script, cwd = req["script"], req["cwd"]
    try:
        fd = os.open(script, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return check_paths(script, cwd) or "script is not readable: %s" % script
    try:
        info = os.fstat(fd)
        if not S_ISREG(info.st_mode) or not is_dir(cwd):
            return check_paths(script, cwd)
        if req.get("module"):
            req["code"], req["dir"] = None, None
            return None
        # Compiled here, not in the child: the child would copy every page the compiler
        # touches (~0.5 ms a script); here those pages are warm.
        source = read_bounded(fd, info.st_size)
        req["dir"] = real_path(fd, script).rpartition("/")[0] or "/"  # its folder (absolute)
    finally:
        os.close(fd)
    req["code"] = None if source is None else compile_script(source, script)
    return None


def real_path(fd, script):
    """os.path.realpath(script) of the open file, in one readlink rather than an lstat per
    path component (with Python frames around each)."""
    try:
        return os.readlink("/proc/self/fd/%d" % fd)
    except OSError:
        return os.path.realpath(script)


# The most of a script the launcher reads and compiles itself (compiling 256 KiB of Python
# takes a few ms); a bigger one costs its own fork that time, not the launcher's loop.
COMPILE_BYTES = 256 * 1024


def is_dir(path):
    """os.path.isdir without its Python frames."""
    try:
        return S_ISDIR(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def read_bounded(fd, size):
    """The whole file, or None when it holds more than COMPILE_BYTES. fstat said `size`
    bytes: reads ask for that much and a little more, never for COMPILE_BYTES at once (each
    read allocates what it asks for)."""
    chunks, total = [], 0
    want = min(size, COMPILE_BYTES) + 1
    while True:
        chunk = os.read(fd, want)
        want = min(COMPILE_BYTES + 1 - total - len(chunk), 4096)
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > COMPILE_BYTES:
            return None
        chunks.append(chunk)


def compile_script(source, path):
    """The script's code object, the exception `python script.py` would die of, or None when
    compiling it printed a warning (the fork then compiles it itself, so the warning reaches
    the script's own stderr)."""
    stderr = sys.stderr
    _WARNED.hit = False
    sys.stderr = _WARNED
    try:
        code = compile(source, path, "exec", dont_inherit=True)
    except BaseException as exc:  # SyntaxError, ValueError (NUL bytes)...
        code = exc
    finally:
        sys.stderr = stderr
    return None if _WARNED.hit else code


class _Warned:
    """The stderr a compile runs with: notes whether a warning was written, keeps nothing
    (one object for every script, not a StringIO made and freed each time)."""
    __slots__ = ("hit",)

    def write(self, text):
        self.hit = True
        return len(text)

    def flush(self):
        pass


_WARNED = _Warned()


def check_script(script, cwd):
    """check_paths on the common path in one stat and one access: a readable regular file
    passes (its working folder is left to the start, which fails if it is missing, and
    check_paths then words why); anything else gets check_paths' answer."""
    try:
        if S_ISREG(os.stat(script).st_mode) and os.access(script, os.R_OK):
            return None
    except OSError:
        pass
    return check_paths(script, cwd)


def check_paths(script, cwd):
    """Why the script or working folder cannot be used, in plain words; None when they can."""
    try:
        mode = os.stat(script).st_mode
    except OSError:
        if "\ufffd" in script:  # a name read as UTF-8 text somewhere: its bad bytes became U+FFFD
            return ("script not found: %s (U+FFFD stands for a byte that is not UTF-8 where a file name "
                    "was read as text: give the path as a Buffer, e.g. from fs.readdirSync(dir, "
                    "{ encoding: 'buffer' }))" % script)
        return "script not found: %s" % script
    if S_ISDIR(mode):
        return "script is a folder, not a file: %s" % script
    if not S_ISREG(mode):
        return "script is not a regular file (a FIFO, a device or a socket): %s" % script
    if not os.access(script, os.R_OK):
        return "script is not readable: %s" % script
    try:
        mode = os.stat(cwd).st_mode
    except OSError:
        return "working folder not found: %s" % cwd
    if not S_ISDIR(mode):
        return "working folder is not a folder: %s" % cwd
    return None


def exit_code(status):
    """waitpid status as Python's os.waitstatus_to_exitcode (3.9+) gives it: -signal if killed."""
    if os.WIFSIGNALED(status):
        return -os.WTERMSIG(status)
    return os.WEXITSTATUS(status)

"""What python/launcher.py does for a script outside its process: the path checks and the
compile done before the fork, the environment an exec'd script gets, and how its wait
status reads. Imported only with a
standard-library-only sys.path (see launcher.py).
"""
import io
import os
import sys
from stat import S_ISREG


def script_env(start_env, req):
    """The environment an exec'd script gets: the launcher's start environment with the
    request's changes (envUnset, then envSet)."""
    env = dict(start_env)
    for name in req["envUnset"]:
        env.pop(name, None)
    env.update(req["envSet"])
    return env


def script_argv(req):
    """argv after the interpreter: `script args...`, or `-m module script args...`."""
    module = req.get("module")
    head = ["-m", module, req["script"]] if module else [req["script"]]
    return head + list(req["args"])


def prepare_fork(req):
    """'fork' mode: sets req["code"] and req["dir"] (sys.path[0]) of the script; returns why
    it cannot run, or None. The usual case (a regular file in an existing folder) costs two
    stat calls; anything else gets check_paths' plain-words reason. A module run compiles
    nothing here: the child imports the module as `python -m` would."""
    script, cwd = req["script"], req["cwd"]
    try:
        usual = S_ISREG(os.stat(script).st_mode) and os.path.isdir(cwd)
    except OSError:
        usual = False
    if not usual:
        problem = check_paths(script, cwd)
        if problem:
            return problem
    if req.get("module"):
        req["code"], req["dir"] = None, None
        return None
    # Compiled here, not in the child: the child would copy every page the compiler
    # touches (~0.5 ms a script); here those pages are warm.
    code = compile_script(script)
    if isinstance(code, OSError):
        problem = check_paths(script, cwd)  # unreadable after all: say so as exec mode does
        if problem:
            return problem
    req["code"], req["dir"] = code, os.path.dirname(os.path.realpath(script))
    return None


def compile_script(path):
    """The script's code object, the exception `python script.py` would die of, or None when
    compiling it printed a warning (the fork then compiles it itself, so the warning reaches
    the script's own stderr)."""
    stderr = sys.stderr
    sys.stderr = warned = io.StringIO()
    try:
        with open(path, 'rb') as handle:
            code = compile(handle.read(), path, "exec", dont_inherit=True)
    except BaseException as exc:  # SyntaxError, ValueError (NUL bytes), OSError...
        code = exc
    finally:
        sys.stderr = stderr
    return None if warned.getvalue() else code


def check_paths(script, cwd):
    """Why the script or working folder cannot be used, in plain words; None when they can."""
    if not os.path.exists(script):
        return "script not found: %s" % script
    if os.path.isdir(script):
        return "script is a folder, not a file: %s" % script
    if not os.access(script, os.R_OK):
        return "script is not readable: %s" % script
    if not os.path.exists(cwd):
        return "working folder not found: %s" % cwd
    if not os.path.isdir(cwd):
        return "working folder is not a folder: %s" % cwd
    return None


def exit_code(status):
    """waitpid status as Python's os.waitstatus_to_exitcode (3.9+) gives it: -signal if killed."""
    if os.WIFSIGNALED(status):
        return -os.WTERMSIG(status)
    return os.WEXITSTATUS(status)

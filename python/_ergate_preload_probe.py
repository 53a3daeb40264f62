"""--preload auto's probe: which learned modules a fork server may import before forking.

Run as `python _ergate_preload_probe.py MODULE...` in a fresh interpreter (in the run's
working folder); imports each module in turn and prints one JSON line: ok, threaded (each
with the module whose import started the thread: itself, or one it imports) and broken.
A module is unsafe when importing it starts a Python thread (one with a Python thread state,
as sys._current_frames() lists them): a fork copies only the forking thread, so a lock that
thread held stays locked in every child. The thread is blamed on the innermost import that
was running when it appeared, whatever order the modules come in, and every module that
imports the culprit is unsafe with it. Native threads of C libraries (numpy's BLAS pool)
hold no Python state and are not counted. Standard library only.

It also prints each module's fingerprint (where it would be found, and that file's mtime and
size; the interpreter's version): `--fingerprint MODULE...` prints only that, importing
nothing, so a caller can reuse an earlier verdict while none of them changed.
"""
import builtins
import json
import os
import sys

_original_import = builtins.__import__
_edges = {}  # top-level importer -> top-level modules its code imports
_culprits = set()
_claimed = [1]  # the Python thread count already blamed on someone
_during = {}  # requested module -> the culprit blamed while it was being imported
_current = [None]


def _threads():
    return len(sys._current_frames())


def _top(name, globals, level):
    if level:
        return ((globals or {}).get("__package__") or "").partition(".")[0]
    return name.partition(".")[0]


def _import(name, globals=None, locals=None, fromlist=(), level=0):
    top = _top(name, globals, level)
    importer = ((globals or {}).get("__name__") or "").partition(".")[0]
    if top and importer and importer != top and importer != "__main__":
        _edges.setdefault(importer, set()).add(top)
    before = _threads()
    module = _original_import(name, globals, locals, fromlist, level)
    # The innermost import during which the thread appeared returns first, so it is blamed
    # (one that began after it appeared, in the importer's own code, is not).
    if _threads() > max(before, _claimed[0]) and top:
        _blame(top)
    return module


def _blame(culprit):
    _culprits.add(culprit)
    _during.setdefault(_current[0], culprit)
    _claimed[0] = _threads()


def _reaches(name, targets):
    seen, todo = set(), [name]
    while todo:
        current = todo.pop()
        if current in targets:
            return current
        if current not in seen:
            seen.add(current)
            todo.extend(_edges.get(current, ()))
    return None


def fingerprint(names):
    """name -> [file, mtime_ns, size] of where an import would find it (None: not found),
    plus the interpreter's version; found without importing any of them."""
    from importlib.util import find_spec

    found = {"": sys.version}
    for name in names:
        try:
            spec = find_spec(name)
            origin = spec.origin if spec is not None else None
            st = os.stat(origin) if origin and os.path.isabs(origin) else None
            found[name] = [origin, st.st_mtime_ns, st.st_size] if st else [origin, 0, 0]
        except BaseException:
            found[name] = None
    return found


def main(names):
    loaded, broken = [], []
    sys.path[0] = os.getcwd()  # the modules resolve as the scripts' would, not from python/
    if names[:1] == ["--fingerprint"]:
        print(json.dumps({"fingerprint": fingerprint(names[1:])}))
        return
    before = fingerprint(names)
    builtins.__import__ = _import
    for name in names:
        _current[0] = name
        try:
            __import__(name)
            if _threads() > _claimed[0]:  # started outside any import statement (importlib)
                _blame(name)
            loaded.append(name)
        except BaseException as exc:
            broken.append([name, "%s: %s" % (type(exc).__name__, exc)])
    builtins.__import__ = _original_import
    ok, threaded = [], []
    for name in loaded:
        culprit = _during.get(name) or _reaches(name, _culprits)
        (threaded.append([name, culprit]) if culprit else ok.append(name))
    print(json.dumps({"ok": ok, "threaded": threaded, "broken": broken, "fingerprint": before}))


if __name__ == "__main__":
    main(sys.argv[1:])

"""Linux process plumbing for python/launcher.py and its forked children: prctl(2) without
the ctypes package and its constants, a /proc walk that finds a process's live descendants
(with their process group and start time, so a pid reused later is never signalled by
mistake), and kill_below(), the one "snapshot everything below, then SIGKILL it" of python/.
Imported only with a standard-library-only sys.path (see launcher.py): never shadowed.
"""
import os

import _ctypes  # at import time, while the launcher's sys.path is the standard library's
import _signal

PR_SET_PDEATHSIG, PR_SET_CHILD_SUBREAPER = 1, 36  # <linux/prctl.h>
_prctl_function = None


def prctl(option, arg):
    # prctl(2) through _ctypes directly: the ctypes package costs ~1 ms and ~10 modules more,
    # which every fork of a warm interpreter would map and copy.
    global _prctl_function
    if _prctl_function is None:
        class _Int(_ctypes._SimpleCData):
            _type_ = 'i'

        class _Function(_ctypes.CFuncPtr):
            _flags_ = _ctypes.FUNCFLAG_CDECL
            _restype_ = _Int

        class _Libc:
            _handle = _ctypes.dlopen(None, 0)

        _prctl_function = _Function(('prctl', _Libc))
    return _prctl_function(option, arg, 0, 0, 0)


def proc_stat(pid):
    """(ppid, pgid, start time, state letter) of a pid from /proc, or None when it is gone.
    The one /proc/<pid>/stat parser of python/."""
    try:
        with open('/proc/%d/stat' % pid, 'rb') as f:
            stat = f.read()
        fields = stat[stat.rindex(b')') + 2:].split(b' ')
        return int(fields[1]), int(fields[2]), fields[19], fields[0]
    except (OSError, ValueError, IndexError):
        return None


def _children_files_work():
    try:
        with open('/proc/%d/task/%d/children' % (os.getpid(), os.getpid()), 'rb'):
            return True
    except OSError:
        return False


# /proc/<pid>/task/<tid>/children (CONFIG_PROC_CHILDREN) walks a tree in a few reads; a kernel
# without it gets one pass over all of /proc instead.
_HAS_CHILDREN_FILES = _children_files_work()


def _children(pid):
    """pids of pid's live children, from each of its threads' children file."""
    found = []
    try:
        tasks = os.listdir('/proc/%d/task' % pid)
    except OSError:
        return found
    for tid in tasks:
        try:
            with open('/proc/%d/task/%s/children' % (pid, tid), 'rb') as f:
                found += f.read().split()
        except OSError:
            pass
    return found


def _walk(roots):
    found, todo = [], list(roots)
    while todo:
        for entry in _children(todo.pop()):
            pid = int(entry)
            info = proc_stat(pid)
            if info is not None:
                found.append((pid, info[1], info[2]))
            todo.append(pid)
    return found


def _scan(roots):
    children = {}
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        info = proc_stat(int(entry))
        if info is not None:
            children.setdefault(info[0], []).append((int(entry), info[1], info[2]))
    found, todo = [], list(roots)
    while todo:
        for child in children.get(todo.pop(), ()):
            found.append(child)
            todo.append(child[0])
    return found


def descendants(*roots):
    """[(pid, pgid, start time)] of every live descendant of the roots. Taken before anything
    is signalled, while ppid chains are intact, so processes that left the group with setsid
    are still found. Cost grows with the tree, not with the machine's process count."""
    return _walk(roots) if _HAS_CHILDREN_FILES else _scan(roots)


def kill_below(*roots):
    """SIGKILLs every live descendant of the roots. The whole tree is snapshotted first, while
    ppid chains still lead to setsid descendants, then killed."""
    kill_all(descendants(*roots))


def kill_all(procs):
    """SIGKILLs each snapshotted (pid, pgid, start time) that is still that process."""
    for proc in procs:
        signal_same(proc, _signal.SIGKILL)


def has_children():
    """Whether this process has any child, running or a zombie. A subreaper without one has
    no descendant at all: every orphan below it would have become its child."""
    try:
        os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        return False
    return True


def read_to_eof(fd):
    """Everything written to the pipe fd until every writer closed it; closes fd."""
    data = b""
    try:
        while True:
            chunk = os.read(fd, 4096)
            if not chunk:
                return data
            data += chunk
    finally:
        os.close(fd)


def signal_same(proc, sig):
    """Signals a snapshotted (pid, pgid, start time) only while it is still that process."""
    pid = proc[0]
    if pid <= 1:
        return
    now = proc_stat(pid)
    if now is None or now[2] != proc[2]:
        return
    try:
        os.kill(pid, sig)
    except OSError:
        pass


def kill_group(pgid, sig):
    """Signals a group whose leader this process has not reaped yet (so the id is still
    that group's); never pgid 0 or 1."""
    if pgid <= 1:
        return
    try:
        os.killpg(pgid, sig)
    except OSError:
        pass

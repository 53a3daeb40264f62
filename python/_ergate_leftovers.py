"""What a finished script left running, for python/launcher.py. The launcher is the subreaper
of its scripts, so when a script dies whatever it left (a background child, a setsid
double-fork daemon) comes up to the launcher as a child that is no script of its. sweep()
finds those orphans and everything below them, names each by its command line, kills them.
Invariant: every orphan found is an ended script's. A launcher runs one script at a time, or
(shared, wider than the machine) makes each script the subreaper of its own tree, so what a
running script orphans stays below it and never reaches the launcher.
"""
import os
import time

from _ergate_sys import descendants, kill_all, proc_stat
COMMAND_CHARS = 200  # a leftover's command line is cut to this many characters


def _cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as handle:
            return handle.read().rstrip(b"\0").replace(b"\0", b" ")
    except OSError:
        return b""


def _settled_cmdline(pid):
    """The command line of a live process. One caught inside execve (its parent already told
    that the exec succeeded, its new memory not yet holding the arguments) reads empty for a
    moment, longer on a loaded machine: read again, every ms, for up to 50 ms, while it lives."""
    raw = _cmdline(pid)
    deadline = None
    while not raw:
        info = proc_stat(pid)
        if info is None or info[3] in (b"Z", b"X"):
            break
        now = time.monotonic()
        deadline = deadline or now + 0.05
        if now >= deadline:
            break
        time.sleep(0.001)
        raw = _cmdline(pid)
    return raw


def command_of(pid, own, script):
    """The command line of a process, as one line of at most COMMAND_CHARS characters. A fork
    that never exec'd still shows `own` (the launcher's): it is the script's, so named so."""
    raw = _settled_cmdline(pid)
    if raw == own:
        raw = b"python " + script
    text = raw.decode("utf-8", "replace") or "(pid %d)" % pid
    return text if len(text) <= COMMAND_CHARS else text[:COMMAND_CHARS - 3] + "..."


class Leftovers:
    def __init__(self, launcher_pid):
        self.launcher_pid = launcher_pid
        self.own_command = _cmdline(launcher_pid)
        # Kept open: one pread per finished script says whether it left anything behind.
        try:
            self.children_fd = os.open("/proc/%d/task/%d/children" % (launcher_pid, launcher_pid), os.O_RDONLY)
        except OSError:  # a kernel without CONFIG_PROC_CHILDREN: a scan of /proc instead
            self.children_fd = -1

    def children(self):
        """pids of the launcher's children, zombies included, as /proc spells them (the
        caller int()s only what it looks at)."""
        if self.children_fd < 0:
            return [e for e in os.listdir("/proc") if e.isdigit() and (proc_stat(int(e)) or (0,))[0] == self.launcher_pid]
        data = b""
        while True:
            chunk = os.pread(self.children_fd, 65536, len(data))
            data += chunk
            if len(chunk) < 65536:
                return data.split()

    def sweep(self, scripts, script):
        """SIGKILLs every orphan (a child whose pid is not in `scripts`, the scripts not yet
        reaped) and all below it; returns [(pid, command)] of those that were still running, or
        None when the launcher had no child but those scripts (nothing to kill).
        `script`: the path of the script that ended (a fork of it is named after it)."""
        children = self.children()
        if len(children) <= len(scripts):
            return None  # every unreaped script is listed: no other child (the common case)
        orphans = [int(pid) for pid in children if int(pid) not in scripts]
        procs = []
        for pid in orphans:
            info = proc_stat(pid)
            if info is not None:
                procs.append((pid, info[1], info[2]))
        procs += descendants(*orphans)  # snapshotted whole before anything is killed
        found = []
        for proc in procs:
            info = proc_stat(proc[0])
            if info is not None and info[3] not in (b"Z", b"X"):
                found.append((proc[0], command_of(proc[0], self.own_command, os.fsencode(script))))
        kill_all(procs)
        return found


def json_leftovers(found):
    """[[pid,"command"],...] as JSON text, without the json module (~25 imports)."""
    items = []
    for pid, command in found:
        text = command.replace("\\", "\\\\").replace('"', '\\"')
        text = "".join(c if c >= " " else "\\u%04x" % ord(c) for c in text)
        items.append('[%d,"%s"]' % (pid, text))
    return ("[" + ",".join(items) + "]").encode("utf-8", "surrogatepass")

"""Probe: python/launcher.py driven straight from Python (no Node), one script at a time, so
the launcher loop's own cost and its scripts' can be told apart and two launcher folders
compared in the same rounds (A/B, interleaved). Per trivial script = (a 200-script run - a
2-script run) / 198, medians: the loop's on-CPU time (/proc/<pid>/schedstat) and minor
faults, and everything reaped (loop, keeper, scripts: getrusage(RUSAGE_CHILDREN)).
Run: /usr/bin/python3 bench/probes/launcher-drive.py fork|exec ROUNDS [PYTHON_DIR...]
(default: this checkout's python/; copy an older python/ aside to compare against it).
"""
import fcntl
import marshal
import os
import resource
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def frames(fd):
    """The launcher's reply frames: (kind, id, payload)."""
    buf = b""
    while True:
        while len(buf) >= 9:
            size = struct.unpack(">I", buf[5:9])[0]
            if len(buf) < 9 + size:
                break
            yield buf[0:1], struct.unpack(">I", buf[1:5])[0], buf[9:9 + size]
            buf = buf[9 + size:]
        data = os.read(fd, 65536)
        if not data:
            return
        buf += data


def high_fd(fd):
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return moved


def loop_cost(pid):
    with open("/proc/%d/schedstat" % pid) as handle:
        ms = int(handle.read().split()[0]) / 1e6
    with open("/proc/%d/stat" % pid) as handle:
        stat = handle.read()
    return ms, int(stat[stat.rindex(")") + 2:].split()[7])


def run(folder, mode, scripts):
    """One fresh launcher over scripts: (loop ms, loop faults, all reaped ms, all faults)."""
    # Above fd 4, so that the child's dup2 onto 3 and 4 never clobbers one of them.
    req_r, req_w, rep_r, rep_w = [high_fd(fd) for fd in os.pipe() + os.pipe()]

    def wire():
        os.dup2(req_r, 3)
        os.dup2(rep_w, 4)

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    flags = ["-I", "-S"] if mode == "exec" else []
    argv = [sys.executable] + flags + [os.path.join(folder, "launcher.py"), mode, str(os.getpid()), "1"]
    launcher = subprocess.Popen(argv, preexec_fn=wire, close_fds=False, stdin=subprocess.DEVNULL)
    os.close(req_r)
    os.close(rep_w)
    replies = frames(rep_r)
    kind, _, payload = next(replies)
    assert kind == b"R", payload
    loop_pid = int(payload.split(b":")[1].rstrip(b"}"))
    for n, script in enumerate(scripts):
        request = marshal.dumps({
            "op": "run", "id": n + 1, "python": sys.executable, "script": script, "args": [], "cwd": "/tmp",
            "envSet": {}, "envUnset": [], "memoryLimitMb": None, "cpuTimeLimitS": None, "timeoutMs": 60000,
            "killGraceMs": 2000, "maxOutputBytes": 1 << 20, "live": False})
        os.write(req_w, struct.pack(">I", len(request)) + request)
        for kind, _, payload in replies:
            if kind in (b"X", b"F"):
                assert payload.startswith(b'{"code":0'), payload[:300]
                break
    loop_ms, loop_faults = loop_cost(loop_pid)
    os.close(req_w)
    launcher.wait()
    os.close(rep_r)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    all_ms = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000
    return loop_ms, loop_faults, all_ms, after.ru_minflt - before.ru_minflt


def main():
    mode, rounds = sys.argv[1], int(sys.argv[2])
    folders = sys.argv[3:] or [os.path.join(HERE, "..", "..", "python")]
    with tempfile.TemporaryDirectory() as tmp:
        scripts = []
        for n in range(200):
            scripts.append(os.path.join(tmp, "s%03d.py" % n))
            with open(scripts[-1], "w") as handle:
                handle.write("print('ok')\n")
        results = {folder: [] for folder in folders}
        for r in range(rounds):
            for folder in folders if r % 2 == 0 else folders[::-1]:
                small, full = run(folder, mode, scripts[:2]), run(folder, mode, scripts)
                results[folder].append([(a - b) / 198 for a, b in zip(full, small)])
    median = lambda values: sorted(values)[len(values) // 2]
    print("%s mode, %d rounds (medians), %s, load average %s" % (
        mode, rounds, sys.executable, " ".join(open("/proc/loadavg").read().split()[:3])))
    for folder in folders:
        loop_ms, loop_faults, all_ms, all_faults = [median(c) for c in zip(*results[folder])]
        print("%-40s loop %.2f ms %3.0f faults | all reaped %.2f ms %3.0f faults (a script)" % (
            folder, loop_ms, loop_faults, all_ms, all_faults))


main()

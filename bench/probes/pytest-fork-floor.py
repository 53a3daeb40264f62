"""The fork floor for a pytest suite run file by file: issue 24's prototype, kept honest.

Imports pytest and the suite's heavy modules once (then gc.freeze(), as ergate's launcher
does), then forks one child per test file that calls pytest on that file alone (stdout and
stderr to /dev/null), WIDTH at a time, in the order given. Nothing else: no supervision, no
per-test results unless --junit. Prints one JSON line: wall, the children's CPU (rusage of
every reaped child), per-file wall and CPU.
Run: python3 pytest-fork-floor.py [-j 2] [--rootdir DIR] [--preload a,b] [--junit DIR] FILE...
"""
import argparse
import gc
import json
import os
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("-j", type=int, default=2)
parser.add_argument("--rootdir", default=None)
parser.add_argument("--preload", default="networkx,numpy,scipy,matplotlib,sympy,pandas,pygraphviz,yaml,pydot")
parser.add_argument("--junit", default=None, help="write JUnit XML per file into this folder")
parser.add_argument("files", nargs="+")
opts = parser.parse_args()

preloaded = ["pytest"]
import pytest  # noqa: E402

for name in [n for n in opts.preload.split(",") if n]:
    try:
        __import__(name)
        preloaded.append(name)
    except ImportError:
        pass

gc.freeze()  # as ergate's launcher does: a child's GC then never walks (copies) the inherited heap
base_args = ["-q", "-p", "no:cacheprovider"] + (["--rootdir", opts.rootdir] if opts.rootdir else [])


def child(index, file):
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    args = base_args + [file]
    if opts.junit:
        args += ["-o", "junit_family=xunit1", "--junitxml=%s/%d.xml" % (opts.junit, index)]
    try:
        code = pytest.main(args)
    except BaseException:
        code = 1
    sys.stdout.flush()
    os._exit(int(code))


started = time.perf_counter()
running = {}
per_file = []
codes = {}
queue = list(enumerate(opts.files))
while queue or running:
    while queue and len(running) < opts.j:
        index, file = queue.pop(0)
        pid = os.fork()
        if pid == 0:
            child(index, file)
        running[pid] = (file, time.perf_counter())
    pid, status, usage = os.wait4(-1, 0)
    file, t0 = running.pop(pid)
    code = os.waitstatus_to_exitcode(status)
    codes[code] = codes.get(code, 0) + 1
    per_file.append({"file": file, "ms": round((time.perf_counter() - t0) * 1000, 1),
                     "cpuMs": round((usage.ru_utime + usage.ru_stime) * 1000, 1), "code": code})
wall = time.perf_counter() - started
print(json.dumps({
    "wallMs": round(wall * 1000),
    "childCpuMs": round(sum(f["cpuMs"] for f in per_file)),
    "files": len(per_file),
    "exitCodes": codes,
    "preloaded": preloaded,
    "perFile": per_file,
}))

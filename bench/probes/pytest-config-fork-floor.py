"""The configured fork floor for a pytest suite run file by file: what ergate's warm pytest start
(python/_ergate_pytest.py) does, with nothing else.

Imports pytest and the suite's heavy modules once, makes pytest's configuration once (the
rootdir as its one path, global capture stopped), gc.freeze(), then forks one child per test
file that sets the file, resumes capture and runs pytest_cmdline_main (stdout and stderr to
/dev/null), WIDTH at a time, in the order given. No supervision, no results. Prints one JSON
line: wall (from before the imports), the children's CPU, system CPU and page faults
(rusage), files by exit code.
Run: python3 pytest-config-fork-floor.py [-j 2] --rootdir DIR [--preload a,b] FILE...
"""
import argparse
import gc
import json
import os
import sys
import time

started = time.perf_counter()
parser = argparse.ArgumentParser()
parser.add_argument("-j", type=int, default=2)
parser.add_argument("--rootdir", required=True)
parser.add_argument("--preload", default="")
parser.add_argument("files", nargs="+")
opts = parser.parse_args()

import pytest  # noqa: E402
from _pytest.config import _prepareconfig  # noqa: E402

for name in [n for n in opts.preload.split(",") if n]:
    try:
        __import__(name)
    except ImportError:
        pass
config = _prepareconfig(["-q", "-p", "no:cacheprovider", "--rootdir", opts.rootdir, opts.rootdir])
capman = config.pluginmanager.getplugin("capturemanager")
capman.stop_global_capturing()
gc.freeze()


def child(file):
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    config.args = [file]
    config.option.file_or_dir = [file]
    try:
        capman.start_global_capturing()
        capman.suspend_global_capture()
        code = config.hook.pytest_cmdline_main(config=config)
        config._ensure_unconfigure()
    except BaseException:
        code = 1
    sys.stdout.flush()
    os._exit(int(code))


running, codes, cpu, sys_cpu, faults = {}, {}, 0.0, 0.0, 0
queue = list(opts.files)
while queue or running:
    while queue and len(running) < opts.j:
        file = queue.pop(0)
        pid = os.fork()
        if pid == 0:
            child(file)
        running[pid] = file
    pid, status, usage = os.wait4(-1, 0)
    running.pop(pid)
    code = os.waitstatus_to_exitcode(status)
    codes[code] = codes.get(code, 0) + 1
    cpu += usage.ru_utime + usage.ru_stime
    sys_cpu += usage.ru_stime
    faults += usage.ru_minflt + usage.ru_majflt
print(json.dumps({"wallMs": round((time.perf_counter() - started) * 1000), "childCpuMs": round(cpu * 1000), "childSysMs": round(sys_cpu * 1000), "childFaults": faults, "files": len(opts.files), "exitCodes": codes}))

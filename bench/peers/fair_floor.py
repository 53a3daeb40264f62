"""Peer for the bench: the fair fork floor (issue 28). What any fork server must do for a
script, and nothing more: the parent reads and compiles the script, makes stdout/stderr pipes
and forks; the child points fd 1/2 at the pipes, runs the code as __main__ and flushes; the
parent reads both pipes to EOF and wait4s. W at a time. Usage: python3 fair_floor.py W
SCRIPT... Prints {"total", "passed"} as JSON (passed: exit 0 and some stdout).
"""
import os
import select
import sys


def start(path):
    with open(path, "rb") as handle:
        code = compile(handle.read(), path, "exec", dont_inherit=True)
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.dup2(out_w, 1)
        os.dup2(err_w, 2)
        main = type(sys)("__main__")
        main.__file__ = path
        sys.modules["__main__"] = main
        status = 0
        try:
            exec(code, main.__dict__)
        except SystemExit as exc:
            status = exc.code if isinstance(exc.code, int) else 1
        except BaseException:
            status = 1
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    os.close(out_w)
    os.close(err_w)
    return pid, out_r, err_r


def main():
    width, scripts = int(sys.argv[1]), sys.argv[2:]
    poller = select.poll()
    running = {}  # pid -> [open fds, bytes of stdout]
    by_fd = {}  # fd -> pid
    started = passed = 0
    while started < len(scripts) or running:
        while len(running) < width and started < len(scripts):
            pid, out_r, err_r = start(scripts[started])
            started += 1
            running[pid] = [2, 0]
            for fd in (out_r, err_r):
                by_fd[fd] = (pid, fd == out_r)
                poller.register(fd, select.POLLIN)
        for fd, _ in poller.poll():
            pid, is_out = by_fd[fd]
            data = os.read(fd, 65536)
            if data:
                if is_out:
                    running[pid][1] += len(data)
                continue
            poller.unregister(fd)
            os.close(fd)
            del by_fd[fd]
            running[pid][0] -= 1
            if running[pid][0] == 0:
                _, status, _ = os.wait4(pid, 0)
                passed += status == 0 and running[pid][1] > 0
                del running[pid]
    sys.stdout.write('{"total": %d, "passed": %d}\n' % (len(scripts), passed))


main()

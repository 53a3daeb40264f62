"""Peer for the bench: the spawn floor (issue 28, goal 2). What a launcher loop must do for a
script it spawns, and nothing more: one request line (the script's path) from stdin; stdout and
stderr pipes and vfork + exec (_posixsubprocess.fork_exec, as ergate's launcher) of
`PROGRAM script`; "S pid" back; both pipes read to EOF; waitpid; "X status" back. One script at
a time; run W of these for W wide. Usage: python3 spawn_floor.py PROGRAM (requests on stdin).
"""
import os
import sys
from _posixsubprocess import fork_exec


def main():
    program = os.fsencode(sys.argv[1])
    devnull = os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)
    out = sys.stdout.buffer
    for line in sys.stdin.buffer:
        argv = [program, line.rstrip(b"\n")]
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        report_r, report_w = os.pipe()
        pid = fork_exec(
            argv, [program], False, (), None, None,
            devnull, -1, -1, out_w, -1, err_w, report_r, report_w,
            True, False, 0, None, None, None, -1, None, True)
        os.close(report_w)
        os.close(out_w)
        os.close(err_w)
        failed = os.read(report_r, 1024)
        os.close(report_r)
        out.write(b"S %d\n" % pid)
        out.flush()
        for fd in (out_r, err_r):
            while os.read(fd, 65536):
                pass
            os.close(fd)
        _, status = os.waitpid(pid, 0)
        out.write(b"X %d\n" % (1 if failed else os.waitstatus_to_exitcode(status)))
        out.flush()


main()

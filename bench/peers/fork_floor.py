"""Peer for the bench: the fork floor. A plain python3 that imports nothing beyond os forks N
children, W at a time, each doing nothing but os._exit(0): the least a fork server can cost
per script. Usage: python3 fork_floor.py N W. Prints {"total", "passed"} as JSON.
"""
import os
import sys


def main():
    total, width = int(sys.argv[1]), int(sys.argv[2])
    started = running = passed = 0
    while started < total or running:
        while running < width and started < total:
            if os.fork() == 0:
                os._exit(0)
            started += 1
            running += 1
        _, status = os.wait()
        running -= 1
        passed += status == 0
    sys.stdout.write('{"total": %d, "passed": %d}\n' % (total, passed))


main()

"""Peer harness for the bench: the seed's approach to running many scripts from Python.

A ProcessPoolExecutor of --workers processes, each running one script at a time with
subprocess.run (output captured, like ergate does). Script paths come one per line on stdin.
Prints {"total", "passed", "failed"} as JSON; exits 0 only when every script exited 0.
"""
import argparse
import json
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor


def run_one(python, script):
    done = subprocess.run([python, script], capture_output=True, stdin=subprocess.DEVNULL)
    return done.returncode


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--python", default=sys.executable)
    options = parser.parse_args()
    scripts = [line.strip() for line in sys.stdin if line.strip()]
    with ProcessPoolExecutor(max_workers=options.workers) as pool:
        codes = list(pool.map(run_one, [options.python] * len(scripts), scripts, chunksize=1))
    passed = sum(1 for code in codes if code == 0)
    print(json.dumps({"total": len(codes), "passed": passed, "failed": len(codes) - passed}))
    sys.exit(0 if passed == len(codes) else 1)


if __name__ == "__main__":
    main()

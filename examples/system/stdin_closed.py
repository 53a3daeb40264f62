"""stdin is closed for every child, so a script that reads it gets EOF instead of hanging."""
import sys

data = sys.stdin.read() if sys.stdin is not None else ""
print("stdin gave", len(data), "bytes")

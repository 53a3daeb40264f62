"""Exits 0 after sys.exit(0) from inside a function (SystemExit is a normal exit)."""
import sys

def finish():
    print("finishing early on purpose")
    sys.exit(0)

finish()
print("never printed")

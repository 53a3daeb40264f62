"""Writes warnings to stderr but exits 0: stderr alone does not fail a script."""
import sys
import warnings

warnings.warn("this is only a warning")
for i in range(100):
    print(f"progress {i}%", file=sys.stderr)
print("done")

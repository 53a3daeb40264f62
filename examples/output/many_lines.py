"""Prints 50,000 lines: output is streamed and captured without blocking the child."""
import sys

out = sys.stdout
for i in range(50_000):
    out.write(f"line {i:05d} of output\n")

"""Starts a grandchild process; it lives in the script's process group, which ergate kills on timeout."""
import subprocess
import sys

out = subprocess.run([sys.executable, "-c", "print('hello from a grandchild')"], capture_output=True, text=True, check=True)
print(out.stdout.strip())

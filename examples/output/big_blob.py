"""Writes one 2 MiB line without a newline at the end."""
import sys

sys.stdout.write("x" * (2 * 1024 * 1024))

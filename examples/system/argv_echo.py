"""Prints its argv (ergate passes args as an argv array, never through a shell)."""
import sys

print("argv:", sys.argv[1:] or "(none)")

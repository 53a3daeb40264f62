"""Sleeps one second: a slow script the progress bar shows as running."""
import time

time.sleep(1.0)
print("slept 1 s")

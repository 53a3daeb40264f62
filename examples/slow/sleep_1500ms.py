"""Sleeps 1.5 s while printing a heartbeat (live output)."""
import time

for i in range(3):
    print("tick", i, flush=True)
    time.sleep(0.5)

"""About half a second of pure-Python CPU work."""
import time

start = time.process_time()
total = 0
while time.process_time() - start < 0.5:
    total += sum(range(1000))
print("busy for", round(time.process_time() - start, 2), "s of CPU")

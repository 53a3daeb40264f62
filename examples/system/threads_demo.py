"""Python threads inside one script: ergate supervises the process, threads are fine."""
import threading

results = []
lock = threading.Lock()

def work(n):
    with lock:
        results.append(n * n)

threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
assert sorted(results) == [i * i for i in range(8)]
print("8 threads done")

"""asyncio inside a script: ten concurrent sleeps finish in about 0.1 s."""
import asyncio
import time

async def main():
    start = time.perf_counter()
    await asyncio.gather(*(asyncio.sleep(0.1) for _ in range(10)))
    return time.perf_counter() - start

elapsed = asyncio.run(main())
assert elapsed < 1.0
print(f"10 sleeps in {elapsed:.2f} s")

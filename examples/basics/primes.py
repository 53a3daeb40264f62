"""Sieve of Eratosthenes up to 200,000 (a few tens of ms of CPU)."""
N = 200_000
sieve = bytearray([1]) * (N + 1)
sieve[0:2] = b"\x00\x00"
for i in range(2, int(N ** 0.5) + 1):
    if sieve[i]:
        sieve[i * i :: i] = bytearray(len(sieve[i * i :: i]))
count = sum(sieve)
assert count == 17984, count
print(f"{count} primes below {N}")

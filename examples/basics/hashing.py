"""Hashes a megabyte of data with three algorithms."""
import hashlib

payload = bytes(range(256)) * 4096
for algo in ("md5", "sha1", "sha256"):
    print(algo.ljust(6), hashlib.new(algo, payload).hexdigest()[:16])

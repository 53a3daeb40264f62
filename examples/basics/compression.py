"""Compresses repetitive text with zlib and checks the round trip."""
import zlib

text = ("ergate runs scripts in parallel. " * 2000).encode()
packed = zlib.compress(text, 9)
assert zlib.decompress(packed) == text
print(f"{len(text)} -> {len(packed)} bytes")

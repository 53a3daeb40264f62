"""Combinatorics with itertools."""
import itertools

pairs = list(itertools.combinations("ABCDE", 2))
assert len(pairs) == 10
print("pairs:", " ".join("".join(p) for p in pairs))

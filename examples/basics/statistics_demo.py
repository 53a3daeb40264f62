"""Descriptive statistics with the standard library."""
import statistics

samples = [12.1, 11.8, 12.4, 12.0, 11.9, 12.2, 30.0]
print("mean", round(statistics.mean(samples), 2))
print("median", statistics.median(samples))
print("stdev", round(statistics.stdev(samples), 2))
assert statistics.median(samples) == 12.1

"""Writes and reads a CSV file in a temporary folder (cleaned up afterwards)."""
import csv
import tempfile
from pathlib import Path

with tempfile.TemporaryDirectory() as tmp:
    path = Path(tmp) / "scores.csv"
    with path.open("w", newline="") as f:
        csv.writer(f).writerows([["name", "score"], ["ada", 3], ["alan", 5]])
    with path.open(newline="") as f:
        rows = list(csv.DictReader(f))
assert sum(int(r["score"]) for r in rows) == 8
print("read", len(rows), "rows")

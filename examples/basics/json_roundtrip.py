"""Serialises nested data to JSON and back."""
import json

data = {"jobs": [{"id": i, "tags": ["a", "b"][: i % 3], "ok": i % 2 == 0} for i in range(100)]}
text = json.dumps(data, sort_keys=True)
assert json.loads(text) == data
print(f"round-tripped {len(text)} bytes of JSON")

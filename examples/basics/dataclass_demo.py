"""Dataclasses: ordering and equality for free."""
from dataclasses import dataclass, field

@dataclass(order=True)
class Job:
    priority: int
    name: str = field(compare=False)

jobs = sorted([Job(3, "c"), Job(1, "a"), Job(2, "b")])
assert [j.name for j in jobs] == ["a", "b", "c"]
print("ran in order:", ", ".join(j.name for j in jobs))

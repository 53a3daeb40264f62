"""Date arithmetic across a leap day."""
from datetime import date, timedelta

d = date(2024, 2, 28) + timedelta(days=1)
assert d == date(2024, 2, 29)
print("the day after 2024-02-28 is", d.isoformat())

"""Imports the sibling module inventory.py (the script's folder is on sys.path)."""
from inventory import price_of

order = [("apple", 6), ("bread", 1), ("milk", 2)]
total = round(sum(price_of(item, n) for item, n in order), 2)
assert total == 7.45, total
print("order total:", total)

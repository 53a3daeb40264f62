"""A sibling module imported by order_total.py (also runs on its own as a self-check)."""
PRICES = {"apple": 0.5, "bread": 2.25, "milk": 1.1}

def price_of(item, quantity=1):
    return round(PRICES[item] * quantity, 2)

if __name__ == "__main__":
    assert price_of("apple", 4) == 2.0
    print("inventory self-check ok")

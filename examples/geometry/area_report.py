"""Imports shapes.py from the same folder and reports areas."""
from shapes import Circle, Rect

shapes = [Circle(1), Rect(2, 3), Circle(0.5)]
for s in shapes:
    print(type(s).__name__.ljust(6), round(s.area(), 3))
assert round(sum(s.area() for s in shapes), 3) == 9.927

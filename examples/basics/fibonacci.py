"""Computes Fibonacci numbers iteratively and checks a known value."""
def fib(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a

assert fib(90) == 2880067194370816120
print("fib(90) =", fib(90))

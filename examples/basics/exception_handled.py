"""An exception that is caught is not a failure: exit code 0."""
try:
    1 / 0
except ZeroDivisionError as error:
    print("caught:", error)

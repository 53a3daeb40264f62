"""Reads the environment: the child inherits the caller's env, stdout is unbuffered."""
import os

print("PYTHONUNBUFFERED =", os.environ.get("PYTHONUNBUFFERED"))
print("GREETING =", os.environ.get("GREETING", "(not set; try GREETING=hi ergate run ...)"))

"""Parses log lines with a regular expression."""
import re

LINE = re.compile(r"(?P<level>INFO|WARN|ERROR) (?P<code>\d+) (?P<msg>.*)")
lines = ["INFO 200 ok", "WARN 301 moved", "ERROR 500 boom", "INFO 204 empty"]
levels = [LINE.match(l)["level"] for l in lines]
assert levels.count("INFO") == 2
print(dict((lv, levels.count(lv)) for lv in set(levels)))

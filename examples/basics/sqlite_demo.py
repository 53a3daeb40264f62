"""An in-memory SQLite database: create, insert, aggregate."""
import sqlite3

db = sqlite3.connect(":memory:")
db.execute("create table runs (name text, ms integer)")
db.executemany("insert into runs values (?, ?)", [(f"s{i}", i * 10) for i in range(50)])
(total,) = db.execute("select sum(ms) from runs").fetchone()
assert total == 12250
print("total ms:", total)

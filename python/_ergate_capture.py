"""Output bounding for python/launcher.py: one stream of a script kept as the first and last
halves of maxBytes plus a count of the bytes that fell between them, so memory per stream
never exceeds maxBytes however much the script writes. The only output buffer of the path.
"""


class Capture:
    """One stream of a script, bounded: the first and last halves of maxBytes, and how many
    bytes fell between them."""
    __slots__ = ("head", "head_limit", "tail", "tail_bytes", "tail_limit", "total")

    def __init__(self, max_bytes):
        self.head_limit = (max_bytes + 1) // 2
        self.tail_limit = max_bytes - self.head_limit
        self.head = bytearray()
        self.tail = []
        self.tail_bytes = 0
        self.total = 0

    def push(self, data):
        self.total += len(data)
        room = self.head_limit - len(self.head)
        if room > 0:
            self.head += data[:room]
            data = data[room:]
        if not data or self.tail_limit == 0:
            return
        self.tail.append(data)
        self.tail_bytes += len(data)
        while self.tail_bytes - len(self.tail[0]) >= self.tail_limit:
            self.tail_bytes -= len(self.tail.pop(0))

    def parts(self):
        tail = b"".join(self.tail)[-self.tail_limit:] if self.tail_limit else b""
        return bytes(self.head), tail, self.total - len(self.head) - len(tail)

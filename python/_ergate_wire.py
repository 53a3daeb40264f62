"""The pipes between python/launcher.py and Node (src/script/launcher/protocol.ts keeps in
step with this): requests in, framed replies out. Replies queue when Node is slow and are
written in order without ever blocking the launcher; a closed reply pipe ends the launcher.

fd 3 (from Node): 4-byte big-endian length + a dict in marshal format:
  {"op":"run","id","python","script","args","cwd","envSet","envUnset","memoryLimitMb",
   "cpuTimeLimitS","timeoutMs" (<0: none),"killGraceMs","maxOutputBytes","live",
   "junitXml" (the script's $ERGATE_JUNIT_XML), "importsFile" (fork mode: where the child
   lists its modules)}   (env: changes to the environment the launcher was started with)
  {"op":"stop","id"}   (Node wants the run ended; the first stop reason wins)
fd 4 (to Node): 1-byte type + 4-byte id + 4-byte length + payload, types
  R ready {"pid"}   S started {"pid"}   O/E live stdout/stderr bytes (only when "live")
  X exited: JSON {"code" (<0: -signal),"maxrssKb","cpuMs","stop" (null|"timeout"|"request"),
    "out":[head,tail,dropped],"err":[..], "leftovers":[[pid,command],..] (only when any)}
    + "\\n" + out head, out tail, err head, err tail
  F could not start (UTF-8 text)
"""
import marshal
import os
import select

from _ergate_leftovers import json_leftovers
from _ergate_run import exit_code

REQ_FD, REPLY_FD = 3, 4
READ_SIZE = 65536
# Live output queued for Node beyond this: stop reading the scripts' pipes (flow control).
OUT_QUEUE_HIGH = 1 << 20
# Frames queued up to this many bytes in all are joined into one write.
JOIN_BYTES = 1 << 16


def frame(kind, ident, payload):
    return kind + ident.to_bytes(4, "big") + len(payload).to_bytes(4, "big") + payload


class Requests:
    """Node's requests, decoded one whole frame at a time. Bytes are appended to one buffer
    and consumed from an offset, so a request of any size costs time linear in its size."""

    def __init__(self):
        self.inbox = bytearray()
        self.at = 0  # where the first request not yet taken starts

    def read(self):
        """Takes in what Node wrote; False at EOF (Node closed us or is gone)."""
        chunk = os.read(REQ_FD, READ_SIZE)
        self.inbox += chunk
        return bool(chunk)

    def waiting(self):
        """Whether any bytes of a request are here and not yet taken."""
        return len(self.inbox) > self.at

    def pop(self):
        """The next whole request, or None until more arrives."""
        at = self.at
        if len(self.inbox) - at < 4:
            return None
        size = int.from_bytes(self.inbox[at:at + 4], "big")
        if len(self.inbox) - at < 4 + size:
            return None
        req = marshal.loads(self.inbox[at + 4:at + 4 + size])
        self.at = at + 4 + size
        if self.at == len(self.inbox):
            self.inbox, self.at = bytearray(), 0
        elif self.at >= READ_SIZE:
            del self.inbox[:self.at]
            self.at = 0
        return req


class Replies:
    """Frames for Node, written as the non-blocking reply pipe takes them. The poller is
    told to wake for POLLOUT exactly while some wait; on_gone runs when Node is gone."""

    def __init__(self, poller, on_gone):
        self.poller = poller
        self.on_gone = on_gone
        self.outbox = []
        self.out_bytes = 0
        self.polled = False  # whether the poller wakes for POLLOUT
        poller.register(REPLY_FD, 0)  # POLLOUT while replies wait; POLLERR once Node is gone

    def send(self, kind, ident, payload):
        self.queue(kind, ident, payload)
        self.flush()

    def queue(self, kind, ident, payload):
        """Adds a frame without writing it: the next flush takes it with the frames after it."""
        self.outbox.append(frame(kind, ident, payload))
        self.out_bytes += 9 + len(payload)

    def flush(self):
        outbox = self.outbox
        if 1 < len(outbox) and self.out_bytes <= JOIN_BYTES:
            outbox[:] = [b"".join(outbox)]  # small frames leave in one write
        while outbox:
            data = outbox[0]
            try:
                written = os.write(REPLY_FD, data)
            except BlockingIOError:
                break
            except OSError:
                self.on_gone()  # never returns
            self.out_bytes -= written
            if written == len(data):
                outbox.pop(0)
            else:
                outbox[0] = data[written:]
        if bool(outbox) != self.polled:  # the poll set is rebuilt on every modify
            self.polled = bool(outbox)
            self.poller.modify(REPLY_FD, select.POLLOUT if outbox else 0)

    def backlogged(self):
        return self.out_bytes > OUT_QUEUE_HIGH


def readable_utf8(text):
    """Text for Node in UTF-8: a path's undecodable bytes (the lone surrogates of Python's
    surrogateescape, as ergate carries such names) read \\xNN, as ergate shows them."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace").encode("utf-8")
    except UnicodeError:  # another lone surrogate
        return text.encode("utf-8", "backslashreplace")


def exit_record(child, status, usage, leftovers):
    """The X payload of a reaped child: JSON header, then its captured output."""
    out = child.captures[b"O"].parts()
    err = child.captures[b"E"].parts()
    stop = b'"%s"' % child.stop.encode() if child.stop else b"null"
    left = b',"leftovers":%s' % json_leftovers(leftovers) if leftovers else b""
    header = b'{"code":%d,"maxrssKb":%d,"cpuMs":%d,"stop":%s,"out":[%d,%d,%d],"err":[%d,%d,%d]%s}\n' % (
        exit_code(status), usage.ru_maxrss, round((usage.ru_utime + usage.ru_stime) * 1000), stop,
        len(out[0]), len(out[1]), out[2], len(err[0]), len(err[1]), err[2], left)
    return header + out[0] + out[1] + err[0] + err[1]

"""Allocation sites: objects made at known lines (each marked with a
"site:" comment), dumped three times while tracemalloc traces.
tests/cli/test_alloc_sites.py checks that scan, top, path and
diff --by-site name exactly these lines.

usage: python3 alloc_sites.py OUTDIR     (cycletool_dump on PYTHONPATH)

The classes have __slots__: CPython 3.11's tracemalloc cannot find
instances of classes with a __dict__ (cycletool-dump(5)).
"""
import gc
import os
import sys
import tracemalloc

tracemalloc.start()
import cycletool_dump  # noqa: E402

gc.disable()           # the garbage rings stay until the last dump


class Node:
    __slots__ = ("next", "__weakref__")


class Handler:
    __slots__ = ("server", "buf")


class Server:
    __slots__ = ("handlers",)


class Registry:
    __slots__ = ("blob",)


def ring():
    a = Node()  # site: ring-a
    b = Node()  # site: ring-b
    a.next = b
    b.next = a


def accept(srv):
    h = Handler()  # site: handler
    h.server = srv
    h.buf = bytearray(64)  # site: handler-buf
    srv.handlers.append(h)


out = sys.argv[1]
reg = Registry()  # site: registry
reg.blob = bytearray(3000000)  # site: blob
srv = Server()  # site: server
srv.handlers = []  # site: handlers
ring()
cycletool_dump.dump(os.path.join(out, "1.jsonl"))
for _ in range(4):
    accept(srv)
    ring()
cycletool_dump.dump(os.path.join(out, "2.jsonl"))
for _ in range(4):
    accept(srv)
cycletool_dump.dump(os.path.join(out, "3.jsonl"))

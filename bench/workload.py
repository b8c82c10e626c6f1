"""A heap-building workload for the scan benchmark.

Models a long-running service that leaks: request trees whose nodes point to
their parent (garbage cycles once the request ends), an alive LRU-ish cache
of records, event handlers whose closures hold their owner, self-referencing
config dicts, and a few objects with __del__ caught in cycles.

At --scale 1 it leaves about 400,000 gc-tracked objects behind, most of them
in garbage cycles.  The collector is disabled first so the garbage survives
until the dump taken when the script ends:

    PYTHONPATH=formats/python python3 -m cycletool_dump -o OUT -- \\
        bench/workload.py [--scale N]
"""

import gc

gc.disable()

import argparse
import random


class TreeNode:
    def __init__(self, name, parent=None):
        self.name = name
        self.parent = parent
        self.children = []
        self.payload = None
        if parent is not None:
            parent.children.append(self)


class Record:
    __slots__ = ("key", "fields", "tags", "owner")

    def __init__(self, key, fields, tags, owner=None):
        self.key = key
        self.fields = fields
        self.tags = tags
        self.owner = owner


class Session:
    def __init__(self, sid):
        self.sid = sid
        self.handlers = {}
        self.log = []

    def on(self, event):
        def handler(payload):
            self.log.append((event, payload))  # the closure holds self
        self.handlers[event] = handler
        return handler


class Resource:
    """Has a finalizer; instances end up in cycles the collector must order."""

    def __init__(self, name):
        self.name = name
        self.peer = None
        self.buffers = [bytearray(16)]

    def __del__(self):
        pass


CACHE = {}       # alive: key -> list of Record
SESSIONS = []    # alive: sessions with handler closures (cycles, but reachable)
CONFIGS = []     # alive: self-referencing dicts


def handle_request(rid, rng, fanout, depth):
    """Build a request tree and drop it: parent<->children cycles become garbage."""
    root = TreeNode("req-%d" % rid)
    level = [root]
    for d in range(depth):
        nxt = []
        for node in level:
            for i in range(fanout):
                child = TreeNode("%s.%d" % (node.name, i), node)
                if rng.random() < 0.3:
                    child.payload = {"status": 200, "rid": rid, "depth": d}
                nxt.append(child)
        level = nxt
    return len(level)


def fill_cache(n, rng):
    for i in range(n):
        key = "k%d" % (i // 4)
        rec = Record(key, {"id": i, "score": rng.random(), "name": "item-%d" % i},
                     ["t%d" % (i % 7), "t%d" % (i % 11)])
        CACHE.setdefault(key, []).append(rec)
        if i % 50 == 0:
            rec.owner = CACHE[key]  # record -> its own bucket: alive cycle


def open_sessions(n):
    for s in range(n):
        sess = Session(s)
        for ev in ("open", "data", "close"):
            sess.on(ev)
        if s % 2:
            SESSIONS.append(sess)  # alive cycles; the others leak as garbage


def make_configs(n):
    for i in range(n):
        d = {"name": "cfg-%d" % i, "values": list(range(i % 5))}
        d["self"] = d
        if i % 3:
            CONFIGS.append(d)


def make_finalizer_cycles(n):
    for i in range(n):
        a, b = Resource("a%d" % i), Resource("b%d" % i)
        a.peer, b.peer = b, a


def build(s, seed=1):
    """Leave the workload's objects behind at scale s (see above)."""
    rng = random.Random(seed)
    for rid in range(int(11000 * s)):
        handle_request(rid, rng, fanout=3, depth=2)   # 13 nodes per tree
    fill_cache(int(40000 * s), rng)
    open_sessions(int(6000 * s))
    make_configs(int(3000 * s))
    make_finalizer_cycles(int(50 * s))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    build(args.scale, args.seed)
    print("workload: %d gc-tracked objects" % len(gc.get_objects()))


if __name__ == "__main__":
    main()

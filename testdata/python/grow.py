"""Three dumps of one process with known growth per step, for cycletool
diff's tests: Leak grows by 200 a step (kept in a module list), Temp
objects are made and dropped (freed by reference counting), Cache stays at
3, one Cycle pair per step is dropped as garbage (the collector is off),
and a bounded cache of 5 Entry objects is refilled every step (the old
entries freed: 5 new and 5 deleted from the first dump to the last, none
surviving).  Each step's entries carry an attribute named after the step
("gen0", "gen1", "gen2"), so that a new Entry at a freed Entry's address
has another fingerprint (lib/diff_key.h: the set of attribute labels) and
is not taken for the old one.  A linked chain grows by 50 Node objects a
step, each appended at the tail (CHAIN .next → Node .next → ...): the
first Node of step 1 dominates every later one.

    python3 grow.py OUT-PREFIX      writes OUT-PREFIX-0.jsonl .. -2.jsonl
"""
import gc
import sys

import cycletool_dump

gc.disable()


class Leak:
    def __init__(self, i):
        self.i = i


class Temp:
    def __init__(self, i):
        self.i = i


class Cache:
    def __init__(self):
        self.entries = {}


class Entry:
    def __init__(self, step, k):
        self.k = k
        # Written out (not setattr): the dumper labels attributes whose
        # names appear in the program's code.
        if step == 0:
            self.gen0 = step
        elif step == 1:
            self.gen1 = step
        else:
            self.gen2 = step


class Node:
    def __init__(self):
        self.next = None


class Cycle:
    def __init__(self):
        self.peer = None


KEPT = []
CACHES = [Cache(), Cache(), Cache()]
BOUNDED = {}
CHAIN = Node()


def grow_chain(n):
    """Append n Nodes at the chain's tail (held by nothing else)."""
    node = CHAIN
    while node.next is not None:
        node = node.next
    for _ in range(n):
        node.next = Node()
        node = node.next


for step in range(3):
    KEPT.extend(Leak(i) for i in range(200))
    temps = [Temp(i) for i in range(50)]
    temps = None
    fresh = {k: Entry(step, k) for k in range(5)}
    BOUNDED.clear()
    BOUNDED.update(fresh)
    fresh = None
    grow_chain(50)
    a, b = Cycle(), Cycle()
    a.peer, b.peer = b, a
    a = b = None
    cycletool_dump.dump("%s-%d.jsonl" % (sys.argv[1], step))

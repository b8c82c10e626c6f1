"""Three dumps of one process with known growth per step, for cycletool
diff's tests: Leak grows by 200 a step (kept in a module list), Temp
objects are made and dropped (freed by reference counting), Cache stays at
3, and one Cycle pair per step is dropped as garbage (the collector is off).

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


class Cycle:
    def __init__(self):
        self.peer = None


KEPT = []
CACHES = [Cache(), Cache(), Cache()]

for step in range(3):
    KEPT.extend(Leak(i) for i in range(200))
    temps = [Temp(i) for i in range(50)]
    temps = None
    a, b = Cycle(), Cycle()
    a.peer, b.peer = b, a
    a = b = None
    cycletool_dump.dump("%s-%d.jsonl" % (sys.argv[1], step))

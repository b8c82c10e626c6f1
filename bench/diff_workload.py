"""A Python process with a known leak, dumped three times with
formats/python/cycletool_dump.py, for bench/diff_python.sh (issue 12).

    python3 diff_workload.py OUT-PREFIX [SCALE]

writes OUT-PREFIX-a.jsonl, -b.jsonl and -c.jsonl and prints one JSON line:
{"dumps": [...], "survivors": {type: count}}, the exact number of objects of
each type allocated between dumps a and b and still alive at c, which is
what `cycletool diff` must report as survivors.  SCALE 1 makes about 1M
objects in the last dump.

Every step leaks Session objects into a module-level registry (each with a
dict of attributes and a list of event tuples), puts CacheItem objects into
a bounded LRU cache (evicting the oldest past its bound) and makes Temp
objects that die at once.  The cache is filled so that the items put in it
between a and b are all still there at c, and no CacheItem or Session is
ever freed before b: no address of either type is reused between a and b,
so address identity gives exact answers for both.
"""
import collections
import gc
import json
import sys

import cycletool_dump

prefix = sys.argv[1]
scale = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0

SESSIONS = [int(25000 * scale), int(70000 * scale), int(15000 * scale)]  # per step
CACHE_MAX = int(7500 * scale)
CACHE_PUT = [int(4000 * scale), int(3000 * scale), int(1000 * scale)]  # c evicts 500 of a's
TEMPS = int(20000 * scale)


class Session:
    def __init__(self, n):
        self.n = n
        self.attrs = {"user": "user-%d" % n, "ip": "10.0.%d.%d" % (n >> 8 & 255, n & 255),
                      "tries": n % 7}
        self.events = [(n, k) for k in range(3)]


class CacheItem:
    def __init__(self, key):
        self.key = key
        self.value = ["v%d" % key]


class Temp:
    def __init__(self, i):
        self.i = i
        self.parts = {"i": i, "sq": [i * i]}


REGISTRY = []                       # never shrinks: the leak
CACHE = collections.OrderedDict()   # bounded, least recently put first out
serial = 0


def step(k):
    global serial
    for _ in range(SESSIONS[k]):
        REGISTRY.append(Session(serial))
        serial += 1
    for _ in range(CACHE_PUT[k]):
        CACHE[serial] = CacheItem(serial)
        serial += 1
        while len(CACHE) > CACHE_MAX:
            CACHE.popitem(last=False)
    temps = [Temp(i) for i in range(TEMPS)]
    total = sum(t.parts["sq"][0] for t in temps)
    del temps
    return total


files = []
for k, name in enumerate("abc"):
    step(k)
    gc.collect()
    path = "%s-%s.jsonl" % (prefix, name)
    cycletool_dump.dump(path)
    files.append(path)

# Put between a and b, alive at c.  The cache holds CACHE_PUT[0] +
# CACHE_PUT[1] after b; step c's puts evict the oldest, which are a's as long
# as they do not exceed CACHE_PUT[0] (asserted).
evicted_c = max(0, sum(CACHE_PUT) - CACHE_MAX)
assert sum(CACHE_PUT[:2]) <= CACHE_MAX and evicted_c <= CACHE_PUT[0]
print(json.dumps({"dumps": files,
                  "survivors": {"Session": SESSIONS[1], "CacheItem": CACHE_PUT[1], "Temp": 0}}))

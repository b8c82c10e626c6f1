"""A small service as a user writes it, dumped whole (no gc.freeze): the
runtime's own cycles (classes and their MRO tuples, modules, functions)
surround the application's.  The application's alive cycles, known by
construction and each its own strongly connected component on the
application's graph (cycletool(1), APPLICATION CYCLES):

  Handler .callbacks → list [0] → method .__self__ → Handler
        500 of them, held by the module-level REGISTRY list;
  Session .conn → Connection .session → Session
        40 pairs, held by the SESSIONS dict;
  Node .children → list [*] → Node .parent → Node
        one tree of 31 nodes, held by TREE.

Garbage (dropped, only the cycle collector frees them):

  Job .retry → function .__closure__ → tuple [0] → cell .cell_contents → Job
        25 of them.

    python3 -m cycletool_dump -o service.jsonl -- service.py
"""
import gc
import logging
import json

gc.disable()

log = logging.getLogger("service")


class Handler:
    def __init__(self, n):
        self.n = n
        self.callbacks = [self.on_event]

    def on_event(self, event):
        log.debug("handler %d got %r", self.n, event)


class Session:
    def __init__(self, user):
        self.user = user
        self.conn = Connection(self)


class Connection:
    def __init__(self, session):
        self.session = session


class Node:
    def __init__(self, parent=None):
        self.parent = parent
        self.children = []
        if parent is not None:
            parent.children.append(self)


class Job:
    def __init__(self, n):
        self.n = n

        def retry():
            return self.n
        self.retry = retry


REGISTRY = [Handler(i) for i in range(500)]
SESSIONS = {"user%d" % i: Session("user%d" % i) for i in range(40)}

TREE = Node()
_level = [TREE]
for _depth in range(4):
    _level = [Node(p) for p in _level for _ in range(2)]
del _level, _depth

for _i in range(25):
    Job(_i)
CONFIG = json.loads('{"port": 8080, "workers": 4}')

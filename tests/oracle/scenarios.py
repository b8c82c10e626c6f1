"""Heap scenarios for the CPython-oracle test.

Each scenario is a function that builds objects and returns (keep, expect):
keep is held by the caller until after the collector has run (the "alive"
instances), everything else the function made is dropped when it returns
(the "garbage" instances, when they are in cycles).  expect is a list of
checks the result must pass so that the test cannot succeed vacuously:

    ("garbage_sccs", TYPE, N)    at least N garbage SCCs contain a TYPE object
    ("alive_sccs", TYPE, N)      at least N live SCCs contain a TYPE object
    ("finalizer_sccs", TYPE, N)  at least N garbage SCCs with finalizers=true
                                 contain a TYPE object
    ("no_garbage", TYPE)         no object of TYPE is garbage
    ("weak_edges", N)            at least N objects in the dump have "weak"
    ("gc_garbage", N)            gc.garbage holds at least N objects

TYPE is the "type" field of the dump (type(o).__qualname__).
"""

import gc
import sys
import weakref

SCENARIOS = {}


def scenario(fn):
    SCENARIOS[fn.__name__] = fn
    return fn


# --------------------------------------------------------------------------

class TreeNode:
    def __init__(self, name, parent=None):
        self.name = name
        self.parent = parent
        self.children = []
        if parent is not None:
            parent.children.append(self)


def make_tree(depth, fanout, tag):
    root = TreeNode(tag)
    level = [root]
    for d in range(depth):
        nxt = []
        for p in level:
            for i in range(fanout):
                nxt.append(TreeNode("%s.%d.%d" % (tag, d, i), p))
        level = nxt
    return root


@scenario
def trees():
    for i in range(30):
        make_tree(2, 3, "g%d" % i)
    keep = [make_tree(2, 3, "a%d" % i) for i in range(5)]
    return keep, [("garbage_sccs", "TreeNode", 30), ("alive_sccs", "TreeNode", 5),
                  ("gc_garbage", 30 * 13 * 2)]


class WeakNode:
    def __init__(self, parent=None):
        self._parent = weakref.ref(parent) if parent is not None else None
        self.children = []
        if parent is not None:
            parent.children.append(self)

    @property
    def parent(self):
        return self._parent() if self._parent is not None else None


class Marker:
    pass


@scenario
def weakref_trees():
    def build():
        root = WeakNode()
        for i in range(4):
            c = WeakNode(root)
            for j in range(3):
                WeakNode(c)
        return root
    for i in range(20):
        build()                   # freed at once by reference counting
    keep = [build() for i in range(5)]
    # A few plain garbage cycles so that the comparison is not of two
    # empty sets.
    for i in range(3):
        m = Marker()
        m.me = m
    m = None
    return keep, [("no_garbage", "WeakNode"), ("weak_edges", 5 * 16),
                  ("garbage_sccs", "Marker", 3)]


class Finalized:
    deleted = 0

    def __init__(self, peer=None):
        self.peer = peer

    def __del__(self):
        Finalized.deleted += 1


@scenario
def del_cycles():
    for i in range(10):
        a = Finalized()
        b = Finalized(a)
        a.peer = b
    keep = []
    for i in range(3):
        a = Finalized()
        a.peer = Finalized(a)
        keep.append(a)
    a = b = None
    return keep, [("finalizer_sccs", "Finalized", 10), ("alive_sccs", "Finalized", 3)]


class Connection:
    def __init__(self, pool, n):
        self.n = n
        self.closed = False
        # The callback is a closure over the pool: pool -> connections ->
        # connection -> function -> cell -> pool.
        def on_close():
            pool.release(self)
        self.on_close = on_close


class Pool:
    def __init__(self, size):
        self.free = [Connection(self, i) for i in range(size)]
        self.busy = []

    def release(self, conn):
        self.busy.remove(conn)
        self.free.append(conn)


@scenario
def pool():
    for i in range(10):
        Pool(4)
    keep = [Pool(3), Pool(2)]
    return keep, [("garbage_sccs", "Pool", 10), ("garbage_sccs", "cell", 10),
                  ("alive_sccs", "Pool", 2)]


class Registry:
    def __init__(self):
        self.clients = set()

    def register(self, client):
        self.clients.add(client)


class Client:
    def __init__(self, registry, name):
        self.registry = registry
        self.name = name
        registry.register(self)


@scenario
def registry():
    for i in range(8):
        r = Registry()
        for j in range(5):
            Client(r, "c%d" % j)
    keep = Registry()
    for j in range(4):
        Client(keep, "k%d" % j)
    r = None
    return keep, [("garbage_sccs", "Registry", 8), ("alive_sccs", "Registry", 1)]


class Button:
    def __init__(self, label):
        self.label = label
        self.handler = self.clicked    # bound method stored on self

    def clicked(self):
        return self.label


@scenario
def bound_methods():
    for i in range(12):
        Button("g%d" % i)
    keep = [Button("a%d" % i) for i in range(3)]
    return keep, [("garbage_sccs", "Button", 12), ("garbage_sccs", "method", 12),
                  ("alive_sccs", "Button", 3)]


class Slotted:
    __slots__ = ("other", "data", "__weakref__")

    def __init__(self, data):
        self.data = data


class SlottedChild(Slotted):
    __slots__ = ("extra",)


@scenario
def slots():
    for i in range(10):
        a = Slotted([i])
        b = SlottedChild({"i": i})
        a.other = b
        b.other = a
        b.extra = a
    keep = []
    for i in range(3):
        a = Slotted(i)
        a.other = a
        keep.append(a)
    a = b = None
    return keep, [("garbage_sccs", "Slotted", 10), ("alive_sccs", "Slotted", 3)]


def _dataclass_types():
    from dataclasses import dataclass, field

    @dataclass
    class Order:
        number: int
        lines: list = field(default_factory=list)

    @dataclass(eq=False)
    class OrderLine:
        order: "Order"
        sku: str

    if sys.version_info >= (3, 10):
        @dataclass(slots=True, eq=False)
        class Leg:
            trip: object = None
            name: str = ""
    else:
        # dataclass(slots=True) is 3.10's; the same class by hand.
        @dataclass(eq=False)
        class Leg:
            __slots__ = ("trip", "name")
            trip: object
            name: str

            def __init__(self, trip=None, name=""):
                self.trip = trip
                self.name = name
    return Order, OrderLine, Leg


@scenario
def dataclasses():
    Order, OrderLine, Leg = _dataclass_types()
    for i in range(10):
        o = Order(i)
        o.lines.append(OrderLine(o, "sku%d" % i))
        leg = Leg(name="l%d" % i)
        leg.trip = [leg]
    keep = []
    for i in range(2):
        o = Order(100 + i)
        o.lines.append(OrderLine(o, "k"))
        keep.append(o)
    o = leg = None
    return keep, [("garbage_sccs", "_dataclass_types.<locals>.Order", 10),
                  ("garbage_sccs", "_dataclass_types.<locals>.Leg", 10),
                  ("alive_sccs", "_dataclass_types.<locals>.Order", 2)]


@scenario
def self_ref():
    for i in range(6):
        d = {"i": i}
        d["self"] = d
        lst = [i]
        lst.append(lst)
        d2 = {}
        d2[i] = d2                     # non-str key
    keep_d = {}
    keep_d["me"] = keep_d
    keep_l = []
    keep_l.append(keep_l)
    d = lst = d2 = None
    return [keep_d, keep_l], [("garbage_sccs", "dict", 12), ("garbage_sccs", "list", 6),
                              ("alive_sccs", "dict", 1), ("alive_sccs", "list", 1)]


def make_counter():
    calls = []

    def count():
        calls.append(1)
        return len(calls)
    calls.append(count)               # function -> cell -> list -> function
    return count


def make_recursive():
    def fact(n):
        return 1 if n <= 1 else n * fact(n - 1)   # fact -> cell -> fact
    return fact


@scenario
def closures():
    for i in range(10):
        make_counter()
        make_recursive()
    keep = [make_counter(), make_recursive()]
    return keep, [("garbage_sccs", "cell", 20), ("garbage_sccs", "function", 20),
                  ("alive_sccs", "function", 2)]


def ticker(box):
    n = 0
    while True:
        n += 1
        yield box


@scenario
def generators():
    for i in range(8):
        box = []
        g = ticker(box)
        next(g)
        box.append(g)                 # generator frame -> box -> generator
    for i in range(4):
        # Never started.  Like the suspended ones above, the collector's
        # finalizer pass frees these (on 3.11 none reach gc.garbage); the
        # oracle counts them through its freed-during-collection check.
        box = []
        g = ticker(box)
        box.append(g)
    keep = []
    for i in range(2):
        box = []
        g = ticker(box)
        next(g)
        box.append(g)
        keep.append(g)
    box = g = None
    return keep, [("garbage_sccs", "generator", 12), ("finalizer_sccs", "generator", 12),
                  ("gc_garbage", 8),
                  ("alive_sccs", "generator", 2)]


class AppError(Exception):
    pass


def fail_and_keep(store):
    try:
        raise AppError("boom")
    except AppError as e:
        err = e                        # frame -> err -> traceback -> frame
        if store is not None:
            store.append(err)
    return None


@scenario
def exceptions():
    for i in range(10):
        fail_and_keep(None)
    keep = [[], []]
    for store in keep:
        fail_and_keep(store)
    store = None
    # Both kept errors share one live SCC: their frames' f_back is this
    # function's frame, which holds keep.
    return keep, [("garbage_sccs", "AppError", 10), ("garbage_sccs", "traceback", 10),
                  ("alive_sccs", "AppError", 1)]


class PluginBase:
    def describe(self):
        return type(self).__name__


@scenario
def dynamic_classes():
    for i in range(10):
        cls = type("Plugin%d" % i, (PluginBase,), {"n": i, "run": lambda self: self.n})
        inst = cls()
        inst.me = inst
    keep = [type("Kept%d" % i, (PluginBase,), {"n": i}) for i in range(2)]
    cls = inst = None
    return keep, [("garbage_sccs", "type", 10), ("alive_sccs", "type", 2)]


XML = """<catalog>
  <book id="b1"><title>One</title><author>A</author></book>
  <book id="b2"><title>Two</title><author>B</author></book>
  <book id="b3"><title>Three</title><author>C</author></book>
</catalog>"""


@scenario
def minidom():
    import xml.dom.minidom
    for i in range(5):
        xml.dom.minidom.parseString(XML)
    keep = xml.dom.minidom.parseString(XML)
    unlinked = xml.dom.minidom.parseString(XML)
    unlinked.unlink()                 # breaks the cycles: not garbage
    unlinked = None
    return keep, [("garbage_sccs", "Document", 5), ("alive_sccs", "Document", 1)]


class LoggerHandler:
    pass


@scenario
def logging_asyncio():
    import asyncio
    import logging

    class BackRefHandler(logging.Handler):
        def __init__(self, logger):
            super().__init__()
            self.logger = logger      # handler -> logger -> handlers -> handler

        def emit(self, record):
            pass

    def make_logger(name):
        lg = logging.Logger(name)     # not registered with the manager
        lg.addHandler(BackRefHandler(lg))
        lg.propagate = False
        lg.info("hello")
        return lg

    async def worker(q, out):
        while True:
            item = await q.get()
            out.append(item)
            q.task_done()

    async def main(loop_box):
        q = asyncio.Queue()
        out = []
        tasks = [asyncio.ensure_future(worker(q, out)) for i in range(3)]
        fut = asyncio.get_running_loop().create_future()
        fut.add_done_callback(lambda f: loop_box.append(f))
        fut.set_result(1)
        for i in range(5):
            q.put_nowait(i)
        await q.join()
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        return out

    for i in range(4):
        make_logger("garbage%d" % i)
    keep = [make_logger("kept")]

    for i in range(3):
        loop = asyncio.new_event_loop()
        box = []
        loop.run_until_complete(main(box))
        loop.close()                  # closed, then dropped
    loop = asyncio.new_event_loop()   # abandoned without close()
    loop.run_until_complete(main([]))
    loop = None
    alive = asyncio.new_event_loop()
    alive.run_until_complete(main([]))
    keep.append(alive)
    box = None
    return keep, [("garbage_sccs", "Logger", 4), ("alive_sccs", "Logger", 1),
                  # closed loops leave no cycle; the abandoned one does
                  ("garbage_sccs", "_UnixSelectorEventLoop", 1),
                  ("alive_sccs", "_UnixSelectorEventLoop", 1)]


class Cached:
    pass


@scenario
def lru_cache():
    # Entries of a size-limited functools.lru_cache, as asyncio, unittest
    # and unittest.mock leave behind: on 3.8 and 3.9 they are untracked
    # objects of a static type that was never readied (no __mro__, no
    # __dict__), which once crashed the dumper.
    import functools
    import unittest.mock  # noqa: F401

    @functools.lru_cache(maxsize=8)
    def make(i):
        c = Cached()
        c.me = c
        c.i = i
        return c
    for i in range(12):      # the first 4 are evicted: garbage self-cycles
        make(i)
    return [make], [("garbage_sccs", "Cached", 4), ("alive_sccs", "Cached", 8)]


@scenario
def frozen():
    # Everything that exists now moves to the permanent generation, which
    # the collector never examines: the dump writes it as gc:false.
    old = make_tree(1, 2, "frozen")
    old.me = old
    gc.freeze()
    for i in range(6):
        make_tree(1, 3, "g%d" % i)
    keep = [make_tree(1, 3, "a"), old]
    old.children.append(make_tree(1, 2, "under-frozen"))   # held by a frozen list
    old = None
    return keep, [("garbage_sccs", "TreeNode", 6), ("alive_sccs", "TreeNode", 2)]

"""Cycles through objects with __del__, a suspended generator, a bound
method stored on its own instance, a self-referencing dict and list, and
an exception kept with its traceback -- some dropped, some kept.

    python3 finalizers.py OUT.jsonl
"""
import gc
import sys

import cycletool_dump

gc.disable()
gc.collect()
gc.freeze()


class Resource:
    def __init__(self, name):
        self.name = name
        self.peer = None

    def __del__(self):
        pass


class Button:
    def __init__(self, label):
        self.label = label
        self.on_click = self.click

    def click(self):
        return self.label


def ticker(box):
    while True:
        yield box


def fail(store):
    try:
        raise ValueError("boom")
    except ValueError as e:
        err = e
        store.append(err)


for i in range(5):
    a, b = Resource("a%d" % i), Resource("b%d" % i)
    a.peer, b.peer = b, a
    box = []
    g = ticker(box)
    next(g)
    box.append(g)
    Button("b%d" % i)
    d = {"i": i}
    d["self"] = d
    lst = [i]
    lst.append(lst)
    fail([])
a = b = box = g = d = lst = None
kept = {"resource": Resource("kept"), "button": Button("kept"), "errors": []}
kept["resource"].peer = kept["resource"]
fail(kept["errors"])

cycletool_dump.dump(sys.argv[1])

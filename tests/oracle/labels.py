#!/usr/bin/env python3
"""Edge labels in a dump name the reference they label.

Builds objects whose referents are known, dumps the heap with
cycletool_dump, and checks every labelled edge of those objects against
the live objects: "[i]" must lead to container[i], "['k']" to d['k'],
".name" to the attribute, ".cell_contents" to the cell's value, and so on.
Exit status 0 when all agree, 1 otherwise.
"""
import collections
import dataclasses
import gc
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', '..', 'formats', 'python'))
import cycletool_dump  # noqa: E402


class Plain:
    def __init__(self, x, y):
        self.x = x
        self.y = y


class Slotted:
    __slots__ = ('p', 'q')

    def __init__(self, p, q):
        self.p = p
        self.q = q


@dataclasses.dataclass
class Data:
    first: object
    second: object


class Leaf:
    pass


class Watched(type):
    """A metaclass whose __hash__ and __eq__ record that they ran: the
    dumper must compare such classes by identity only."""
    calls = []

    def __hash__(cls):
        Watched.calls.append('__hash__')
        return 1

    def __eq__(cls, other):
        Watched.calls.append('__eq__')
        return cls is other


class WatchedTuple(tuple, metaclass=Watched):
    pass


class WatchedPlain(metaclass=Watched):
    pass


def make_closure(v):
    def inner():
        return v
    return inner


def main():
    gc.disable()
    a, b, c = Leaf(), Leaf(), Leaf()
    objs = {
        'list': [a, b, c, a],
        'tuple': (c, b, a),
        'deque': collections.deque([a, b, c]),
        'dict': {'k1': a, 'k2': b, 'k3': c},
        'plain': Plain(a, b),
        'slots': Slotted(b, c),
        'data': Data(c, a),
        'closure': make_closure(b),
        'method': Plain(a, c).__init__,
        'watched': [WatchedPlain(), WatchedTuple((a, b)), {(WatchedPlain(), 1): a}],
    }
    expect = {}  # id(container) -> {label: id(target)}
    expect[id(objs['list'])] = {'[%d]' % i: id(v) for i, v in enumerate(objs['list'])}
    expect[id(objs['tuple'])] = {'[%d]' % i: id(v) for i, v in enumerate(objs['tuple'])}
    expect[id(objs['deque'])] = {'[%d]' % i: id(v) for i, v in enumerate(objs['deque'])}
    expect[id(objs['dict'])] = {"['%s']" % k: id(v) for k, v in objs['dict'].items()}
    if sys.version_info >= (3, 11):
        # Inline values: the instance refers to its attributes.
        expect[id(objs['plain'])] = {'.x': id(a), '.y': id(b), '.__class__': id(Plain)}
        expect[id(objs['data'])] = {'.first': id(c), '.second': id(a), '.__class__': id(Data)}
    else:
        # Before 3.11 attributes live in the instance's __dict__.
        for name, keys in (('plain', ('x', 'y')), ('data', ('first', 'second'))):
            o = objs[name]
            d = o.__dict__
            expect[id(o)] = {'.__dict__': id(d), '.__class__': id(type(o))}
            expect[id(d)] = {"['%s']" % k: id(d[k]) for k in keys}
        o = d = None
    if type(objs['deque']).__flags__ & (1 << 9):
        # 3.12 and later: deque is a heap type and refers to it.
        expect[id(objs['deque'])]['.__class__'] = id(collections.deque)
    expect[id(objs['slots'])] = {'.p': id(b), '.q': id(c), '.__class__': id(Slotted)}
    cell = objs['closure'].__closure__[0]
    expect[id(cell)] = {'.cell_contents': id(b)}
    expect[id(objs['closure'].__closure__)] = {'[0]': id(cell)}
    expect[id(objs['closure'])] = {'.__closure__': id(objs['closure'].__closure__)}
    expect[id(objs['method'])] = {'.__self__': id(objs['method'].__self__),
                                  '.__func__': id(objs['method'].__func__)}
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 'labels.jsonl')
        del Watched.calls[:]
        cycletool_dump.dump(path)
        ran = list(Watched.calls)
        lines = [json.loads(line) for line in open(path)]
    by_addr = {o['address']: o for o in lines if 'address' in o}
    bad = 0
    if ran:
        print('FAIL: the dump ran a metaclass\'s %s' % ', '.join(sorted(set(ran))))
        bad += 1
    else:
        print('ok   no metaclass __hash__ or __eq__ ran')
    for owner, want in expect.items():
        o = by_addr.get(owner)
        if o is None:
            print('FAIL: object 0x%x is not in the dump' % owner)
            bad += 1
            continue
        got = {}
        n = len(o['refs'])
        # Version 3: "idx" -1 or 1 stands for the labels [n-1]..[0] or [0]..[n-1].
        idx = {-1: ['[%d]' % i for i in range(n - 1, -1, -1)],
               1: ['[%d]' % i for i in range(n)]}.get(o.get('idx'))
        for ref, label in zip(o['refs'], idx or o.get('labels') or [None] * n):
            if label in want:
                got[label] = ref
        for label, target in want.items():
            if got.get(label) != target:
                print('FAIL: %s %s leads to %s, want 0x%x' % (
                    o['type'], label,
                    hex(got[label]) if label in got else 'nothing', target))
                bad += 1
            else:
                print('ok   %s %s' % (o['type'], label))
    print('%d wrong labels' % bad if bad else 'all labels right')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())

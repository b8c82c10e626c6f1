#!/usr/bin/env python3
"""Write adversarial Python-format dumps (man/cycletool-dump.5), shaped to
make a careless analysis quadratic, and a plain dump of the same size to
compare with:

    make_hostile.py KIND N OUT

selfloop  a chain of N objects, each referring to the next and to itself:
          N one-object cyclic SCCs whose root paths are 1..N steps long
star      one object referring to N others, each of which refers back:
          one SCC of N+1 objects and 2N references
chain     N objects, each referring to the next: path to the last is N steps
ring      the chain closed: one alive SCC of N objects, an N-step cycle
plain     N objects in garbage pairs (Node <-> dict) plus a binary tree of
          references among the Nodes: what an ordinary dump of N objects
          and about 2N references looks like
"""
import sys

BASE = 0x100000


def addr(i):
    return BASE + 16 * i


def objects(kind, n):
    """Yield (address, type, refcount, refs, labels) for each object."""
    if kind == 'selfloop':
        for i in range(n):
            refs = [addr(i)] + ([addr(i + 1)] if i + 1 < n else [])
            labels = ['.me'] + (['.next'] if i + 1 < n else [])
            yield addr(i), 'Node', (3 if i == 0 else 2), refs, labels
    elif kind == 'star':
        yield addr(0), 'Hub', n + 1, [addr(i) for i in range(1, n + 1)], \
            ['[%d]' % i for i in range(n)]
        for i in range(1, n + 1):
            yield addr(i), 'Spoke', 1, [addr(0)], ['.hub']
    elif kind in ('chain', 'ring'):
        for i in range(n):
            nxt = i + 1 if i + 1 < n else (0 if kind == 'ring' else None)
            refs = [addr(nxt)] if nxt is not None else []
            labels = ['.next'] if nxt is not None else []
            yield addr(i), 'Node', 2 if i == 0 else 1, refs, labels
    elif kind == 'plain':
        for i in range(n):
            if i % 2 == 0:
                refs, labels = [addr(i + 1)] if i + 1 < n else [], ['.__dict__']
                for c in (2 * i + 2, 2 * i + 4):  # tree edges among the Nodes
                    if c < n:
                        refs.append(addr(c))
                        labels.append('.child')
                yield addr(i), 'Node', 1 + (i > 0) + (i == 0), refs, labels[:len(refs)]
            else:
                yield addr(i), 'dict', 1, [addr(i - 1)], ["['self']"]
    else:
        raise SystemExit('make_hostile.py: unknown kind %r' % kind)


def main():
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    kind, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    with open(out, 'w') as f:
        f.write('{"cycletool_dump": 1}\n')
        buf = []
        for a, t, rc, refs, labels in objects(kind, n):
            buf.append('{"address":%d,"type":"%s","size":48,"refcount":%d,"refs":[%s],'
                       '"labels":[%s]}\n' % (a, t, rc, ','.join(map(str, refs)),
                                             ','.join('"%s"' % l for l in labels)))
            if len(buf) >= 100000:
                f.writelines(buf)
                buf = []
        f.writelines(buf)
        f.write('{"cycletool_dump_end": 1, "objects": %d}\n' % count(kind, n))


def count(kind, n):
    return n + 1 if kind == 'star' else n


if __name__ == '__main__':
    main()

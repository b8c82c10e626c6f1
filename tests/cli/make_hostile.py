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
collide   the plain dump below with addresses chosen so that the unkeyed
          hash the address map once used (ct_hash_u64, a splitmix64
          finalizer, inverted here) gives them all the same low 24 bits
plain     N objects in garbage pairs (Node <-> dict) plus a binary tree of
          references among the Nodes: what an ordinary dump of N objects
          and about 2N references looks like
"""
import sys

BASE = 0x100000


def addr(i):
    return BASE + 16 * i


M64 = (1 << 64) - 1


def old_hash(x):
    """lib/strings.h's ct_hash_u64 before issue 16."""
    x ^= x >> 30
    x = (x * 0xbf58476d1ce4e5b9) & M64
    x ^= x >> 27
    x = (x * 0x94d049bb133111eb) & M64
    return x ^ (x >> 31)


def unshift(x, s):
    y = x
    for _ in range(64 // s + 1):
        y = x ^ (y >> s)
    return y


INV1, INV2 = pow(0x94d049bb133111eb, -1, 1 << 64), pow(0xbf58476d1ce4e5b9, -1, 1 << 64)


def old_hash_inverse(h):
    h = unshift(h, 31)
    h = (h * INV1) & M64
    h = unshift(h, 27)
    h = (h * INV2) & M64
    return unshift(h, 30)


def colliding(n):
    """n distinct addresses below 2^63 whose old hashes end in 0x5a5a5a."""
    out, i = [], 0
    while len(out) < n:
        i += 1
        a = old_hash_inverse((i << 24) | 0x5a5a5a)
        if 0 < a < 1 << 63:
            out.append(a)
    assert all(old_hash(a) & 0xffffff == 0x5a5a5a for a in out[:100])
    return out


def objects(kind, n):
    """Yield (address, type, refcount, refs, labels) for each object."""
    A = colliding(n).__getitem__ if kind == 'collide' else addr
    if kind == 'selfloop':
        for i in range(n):
            refs = [A(i)] + ([A(i + 1)] if i + 1 < n else [])
            labels = ['.me'] + (['.next'] if i + 1 < n else [])
            yield A(i), 'Node', (3 if i == 0 else 2), refs, labels
    elif kind == 'star':
        yield A(0), 'Hub', n + 1, [A(i) for i in range(1, n + 1)], \
            ['[%d]' % i for i in range(n)]
        for i in range(1, n + 1):
            yield A(i), 'Spoke', 1, [A(0)], ['.hub']
    elif kind in ('chain', 'ring'):
        for i in range(n):
            nxt = i + 1 if i + 1 < n else (0 if kind == 'ring' else None)
            refs = [A(nxt)] if nxt is not None else []
            labels = ['.next'] if nxt is not None else []
            yield A(i), 'Node', 2 if i == 0 else 1, refs, labels
    elif kind in ('plain', 'collide'):
        for i in range(n):
            if i % 2 == 0:
                refs, labels = [A(i + 1)] if i + 1 < n else [], ['.__dict__']
                for c in (2 * i + 2, 2 * i + 4):  # tree edges among the Nodes
                    if c < n:
                        refs.append(A(c))
                        labels.append('.child')
                yield A(i), 'Node', 1 + (i > 0) + (i == 0), refs, labels[:len(refs)]
            else:
                yield A(i), 'dict', 1, [A(i - 1)], ["['self']"]
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

#!/usr/bin/env python3
"""Write a Python-format dump (man/cycletool-dump.5) of N objects in a
chain or a ring, for the writer benchmarks:

    make_chain_dump.py chain|ring|pairs N OUT

chain: object 0 is referenced from outside (refcount 2) and each object
refers to the next, so `path` to the last object is N steps long.
ring: the same, and the last object refers back to the first: one SCC of
N objects, alive, whose representative cycle has N steps.
pairs: N/2 garbage cycles of two objects (a Node and a dict), so that
the writers write N/2 components."""
import sys


def main():
    kind, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    base = 0x100000
    with open(out, 'w') as f:
        f.write('{"cycletool_dump": 1}\n')
        lines = []
        for i in range(n):
            if kind == 'pairs':
                mate = i + 1 if i % 2 == 0 else i - 1
                lines.append('{"address":%d,"type":"%s","size":48,"refcount":1,"refs":[%d],'
                             '"labels":["%s"]}\n' % (base + 16 * i, 'Node' if i % 2 == 0 else 'dict',
                                                     base + 16 * mate,
                                                     '.__dict__' if i % 2 == 0 else "['self']"))
                if len(lines) >= 100000:
                    f.writelines(lines)
                    lines = []
                continue
            nxt = i + 1 if i + 1 < n else (0 if kind == 'ring' else None)
            refs = '[%d]' % (base + 16 * nxt) if nxt is not None else '[]'
            labels = '[".next"]' if nxt is not None else '[]'
            rc = 2 if i == 0 else 1
            lines.append('{"address":%d,"type":"Node","size":48,"refcount":%d,"refs":%s,'
                         '"labels":%s}\n' % (base + 16 * i, rc, refs, labels))
            if len(lines) >= 100000:
                f.writelines(lines)
                lines = []
        f.writelines(lines)
        f.write('{"cycletool_dump_end": 1, "objects": %d}\n' % n)


if __name__ == '__main__':
    main()

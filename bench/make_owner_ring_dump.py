#!/usr/bin/env python3
"""Write a Python-format dump (man/cycletool-dump.5) of one garbage ring
of N objects in which every object also refers to the first (.next and
.owner, as minidom nodes refer to their ownerDocument): the worst shape
for dot's layered layout, whose edges back to the head span every layer.

usage: make_owner_ring_dump.py N OUT"""
import json
import sys

n, out = int(sys.argv[1]), sys.argv[2]
base = 0x7f0000000000
with open(out, 'w') as f:
    f.write(json.dumps({'cycletool_dump': 1}) + '\n')
    for i in range(n):
        refs, labels = [base + 64 * ((i + 1) % n)], ['.next']
        if i:
            refs.append(base)
            labels.append('.owner')
        f.write(json.dumps({'address': base + 64 * i, 'type': 'Node', 'size': 64,
                            'refcount': 1 + (n - 1 if i == 0 else 0),
                            'refs': refs, 'labels': labels}) + '\n')
    f.write(json.dumps({'cycletool_dump_end': 1, 'objects': n}) + '\n')

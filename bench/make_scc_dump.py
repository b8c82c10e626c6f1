#!/usr/bin/env python3
"""Write a cycletool Python dump holding one strongly connected component
of N objects, shaped like an object graph (a tree of nodes with parent
links, sibling links and a few cross references), for bench/render_500.sh.

usage: make_scc_dump.py N OUT
"""
import json
import random
import sys

n, path = int(sys.argv[1]), sys.argv[2]
rng = random.Random(7)
base = 0x7f0000000000
addr = [base + 64 * i for i in range(n)]
refs = [[] for _ in range(n)]
for i in range(1, n):
    parent = (i - 1) // 3
    refs[parent].append((i, '.children[%d]' % len(refs[parent])))
    refs[i].append((parent, '.parent'))
    if i % 3 != 1:
        refs[i].append((i - 1, '.prev'))
for _ in range(n // 10):
    a, b = rng.randrange(n), rng.randrange(n)
    refs[a].append((b, '.peer'))
with open(path, 'w') as f:
    f.write(json.dumps({'cycletool_dump': 1}) + '\n')
    for i in range(n):
        f.write(json.dumps({'address': addr[i], 'type': 'Node%d' % (i % 7), 'size': 64,
                            'refcount': 1 + (i == 0),
                            'refs': [addr[j] for j, _ in refs[i]],
                            'labels': [lab for _, lab in refs[i]]}) + '\n')
    f.write(json.dumps({'cycletool_dump_end': 1, 'objects': n}) + '\n')

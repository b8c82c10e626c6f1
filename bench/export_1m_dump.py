#!/usr/bin/env python3
"""Write a Python-format dump of about N objects, all reachable from one root,
for bench/export_1m.sh.

usage: export_1m_dump.py OUT [N] [tree|chain]
tree:  TreeNode objects, each with .name (a str), .parent and .children (a
       list of up to 3 TreeNodes): three objects per tree node, a cycle
       through every parent/child pair, and every 10th node also refers
       to its grandparent (.owner).
       (Links to far-away nodes instead would make the depth-first walk
       deep and every path reference long: the output of the jsonpath and
       pointer styles grows with the depth of what references point at;
       the id style's does not.)
chain: N Link objects, each .next to the following one, the last back to
       the first: one cycle N long (the walk's depth).
The root is printed on stdout as 0x...
"""
import json
import sys

out, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
shape = sys.argv[3] if len(sys.argv) > 3 else 'tree'
BASE = 0x7f0000000000


def line(addr, typ, size, refs, labels, **extra):
    o = {'address': addr, 'type': typ, 'size': size, 'refcount': 1, 'refs': refs}
    if refs:
        o['labels'] = labels
    o.update(extra)
    return json.dumps(o, separators=(',', ':'))


with open(out, 'w') as f:
    f.write(json.dumps({'cycletool_dump': 1, 'python': '3.11', 'bench': shape}) + '\n')
    count = 0
    if shape == 'chain':
        for i in range(n):
            nxt = BASE + 16 * ((i + 1) % n)
            f.write(line(BASE + 16 * i, 'Link', 48, [nxt], ['.next']) + '\n')
        count = n
    else:
        nodes = n // 3
        node = lambda i: BASE + 48 * i
        lst = lambda i: BASE + 48 * i + 16
        name = lambda i: BASE + 48 * i + 32
        for i in range(nodes):
            kids = [k for k in (3 * i + 1, 3 * i + 2, 3 * i + 3) if k < nodes]
            refs, labels = [name(i)], ['.name']
            if i:
                refs.append(node((i - 1) // 3))
                labels.append('.parent')
            refs.append(lst(i))
            labels.append('.children')
            if i % 10 == 9 and i > 3:
                refs.append(node(((i - 1) // 3 - 1) // 3))
                labels.append('.owner')
            f.write(line(node(i), 'TreeNode', 56, refs, labels) + '\n')
            f.write(line(lst(i), 'list', 88, [node(k) for k in reversed(kids)],
                         [f'[{j}]' for j in reversed(range(len(kids)))], len=len(kids)) + '\n')
            f.write(line(name(i), 'str', 60, [], [], gc=False, value=f'node {i}') + '\n')
        count = 3 * nodes
    f.write(json.dumps({'cycletool_dump_end': 1, 'objects': count}) + '\n')
print(hex(BASE))

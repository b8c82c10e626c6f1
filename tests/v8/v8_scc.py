#!/usr/bin/env python3
"""An independent computation of the cyclic strongly connected components
of a V8 heap snapshot, for checking cycletool's loader and SCC.

    v8_scc.py SNAPSHOT[.gz]     prints one line per cyclic SCC: its node ids, sorted

The whole snapshot is parsed with the json module (fine for test-sized
files), the layout is taken from snapshot.meta, and components are found
with an iterative Tarjan over the strong graph: every edge except those of
type "weak" and "shortcut" (cycletool's rule for components: weak edges keep
nothing alive, shortcuts matter only from the root, which is on no cycle).
A component is cyclic if it has more than one node or a node with an edge to
itself.
"""
import gzip
import json
import sys


def read(path):
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rt', encoding='utf-8') as f:
        return json.load(f)


def strong_graph(snap):
    meta = snap['snapshot']['meta']
    nf, ef = meta['node_fields'], meta['edge_fields']
    n_type, n_id, n_count = nf.index('type'), nf.index('id'), nf.index('edge_count')
    e_type, e_to = ef.index('type'), ef.index('to_node')
    etypes = meta['edge_types'][e_type]
    skip = {i for i, t in enumerate(etypes) if t in ('weak', 'shortcut')}
    nodes, edges = snap['nodes'], snap['edges']
    n = len(nodes) // len(nf)
    ids = [nodes[i * len(nf) + n_id] for i in range(n)]
    adj = []
    e = 0
    for i in range(n):
        out = []
        for _ in range(nodes[i * len(nf) + n_count]):
            if edges[e * len(ef) + e_type] not in skip:
                out.append(edges[e * len(ef) + e_to] // len(nf))
            e += 1
        adj.append(out)
    assert e * len(ef) == len(edges), 'edge counts do not add up'
    del n_type
    return ids, adj


def tarjan(adj):
    """Components as lists of node indices (iterative)."""
    n = len(adj)
    index = [0] * n
    low = [0] * n
    on = [False] * n
    stack, comps = [], []
    counter = 0
    for s in range(n):
        if index[s]:
            continue
        counter += 1
        index[s] = low[s] = counter
        stack.append(s)
        on[s] = True
        work = [(s, 0)]
        while work:
            v, k = work[-1]
            if k < len(adj[v]):
                work[-1] = (v, k + 1)
                w = adj[v][k]
                if not index[w]:
                    counter += 1
                    index[w] = low[w] = counter
                    stack.append(w)
                    on[w] = True
                    work.append((w, 0))
                elif on[w]:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                u = work[-1][0]
                low[u] = min(low[u], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on[w] = False
                    comp.append(w)
                    if w == v:
                        break
                comps.append(comp)
    return comps


def cyclic_sccs(path):
    """Sorted tuples of node ids, one per cyclic component."""
    ids, adj = strong_graph(read(path))
    out = []
    for comp in tarjan(adj):
        if len(comp) > 1 or comp[0] in adj[comp[0]]:
            out.append(tuple(sorted(ids[v] for v in comp)))
    return sorted(out)


if __name__ == '__main__':
    for c in cyclic_sccs(sys.argv[1]):
        print(' '.join(map(str, c)))

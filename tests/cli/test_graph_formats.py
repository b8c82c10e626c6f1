#!/usr/bin/env python3
"""Graph files (DOT, GraphML, GML, Pajek, DIMACS, LGL, edge lists) against networkx.

usage: test_graph_formats.py CYCLETOOL

networkx is the oracle: seeded random directed graphs (gnp, with
self-loops, without edges, with symbolic node names) are written by
networkx in each format (DOT by hand: neither pydot nor pygraphviz is
needed; DIMACS, which networkx does not write, and NCOL with weights
also by hand), and `cycletool scan --json --members` must find the cyclic SCCs
networkx finds (strongly connected components of two or more nodes, and
nodes with a self-loop): the same count and the same member sets.  Each
file is read without --format (the probe must name the format) and with
it.  Also: the attribute mapping (type/label, size, edge label), a
gzip'd file, --format forcing the wrong reader, and malformed files of
each format (exit 3, one line on stderr).
Skipped (status 77) without networkx.
The binary is run as "$CT_WRAPPER CYCLETOOL ..." when CT_WRAPPER is set.
CT_TEST_SMALL (valgrind): one of the three plain gnp graphs (the readers'
code is the same for each; the self-loops, empty and symbolic graphs
stay), the three without it.
"""
import gzip
import json
import os
import random
import shlex
import subprocess
import sys
import tempfile

try:
    import networkx as nx
except ImportError:
    print('networkx is not installed (python3-networkx): skipped')
    sys.exit(77)

failures = []
WRAPPER = shlex.split(os.environ.get('CT_WRAPPER', ''))
SMALL = bool(os.environ.get('CT_TEST_SMALL'))


def check(cond, what):
    if cond:
        print(f'ok   {what}')
    else:
        failures.append(what)
        print(f'FAIL {what}')


def run(exe, args):
    p = subprocess.run(WRAPPER + [exe] + args, capture_output=True, timeout=600)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def oracle(G):
    """The cyclic SCCs as frozensets of node names (str)."""
    out = set()
    for c in nx.strongly_connected_components(G):
        if len(c) > 1 or any(G.has_edge(v, v) for v in c):
            out.add(frozenset(str(v) for v in c))
    return out


def dot_id(v):
    return '"' + str(v).replace('\\', '\\\\').replace('"', '\\"') + '"'


def write_dot(G, path):
    with open(path, 'w') as f:
        f.write('digraph heap {\n')
        for v in G.nodes:
            f.write(f'  {dot_id(v)};\n')
        for u, v in G.edges:
            f.write(f'  {dot_id(u)} -> {dot_id(v)};\n')
        f.write('}\n')


def write_lgl(G, path):
    with open(path, 'w') as f:
        for u in G.nodes:
            succ = list(G.successors(u))
            if succ:
                f.write(f'# {u}\n' + ''.join(f'{v}\n' for v in succ))


def write_pajek(G, path):
    # networkx's write_pajek quotes names; symbolic names must not
    # contain blanks (ours do not).
    nx.write_pajek(G, path)


def write_dimacs(G, path):
    # networkx writes no DIMACS: a max-flow problem by hand, nodes
    # numbered from 1 in G's order (which cycletool keeps as their ids).
    num = {v: i + 1 for i, v in enumerate(G.nodes)}
    with open(path, 'w') as f:
        f.write(f'c seeded graph for cycletool\np max {len(num)} {G.number_of_edges()}\n')
        if len(num) >= 2:
            f.write(f'n 1 s\nn {len(num)} t\n')
        for u, v in G.edges:
            f.write(f'a {num[u]} {num[v]} 1\n')


def write_ncol(G, path):
    # NCOL: named edges with a weight column (dropped by the reader).
    rnd = random.Random(7)
    with open(path, 'w') as f:
        for u, v in G.edges:
            f.write(f'{u} {v} {rnd.random():.3f}\n')


def writers():
    return {
        'dimacs': ('dimacs', write_dimacs),
        'ncol': ('ncol', write_ncol),
        'graphml': ('graphml', lambda G, p: nx.write_graphml(G, p)),
        'gml': ('gml', lambda G, p: nx.write_gml(G, p)),
        'pajek': ('net', write_pajek),
        'edgelist': ('edges', lambda G, p: nx.write_edgelist(G, p, data=False)),
        'lgl': ('lgl', write_lgl),
        'dot': ('dot', write_dot),
    }


def node_order(fmt, G):
    """Nodes in the order the reader numbers them (for symbolic names)."""
    if fmt in ('edgelist', 'ncol'):
        seen = {}
        for u, v in G.edges:
            seen.setdefault(u, None)
            seen.setdefault(v, None)
        return list(seen)
    if fmt == 'lgl':
        seen = {}
        for u in G.nodes:
            succ = list(G.successors(u))
            if succ:
                seen.setdefault(u, None)
                for v in succ:
                    seen.setdefault(v, None)
        return list(seen)
    return list(G.nodes)


def scan_sccs(exe, path, fmt0, forced, symbolic, G):
    fmt = 'edgelist' if fmt0 == 'ncol' else fmt0
    args = ['scan', '--json', '--members'] + (['--format', fmt] if forced else []) + [path]
    rc, out, err = run(exe, args)
    if rc != 0:
        return None, f'exit {rc}: {err.strip()}'
    doc = json.loads(out)
    if doc['format'] != fmt:
        return None, f"format {doc['format']!r}"
    order = node_order(fmt0, G) if symbolic else None
    got = set()
    for s in doc['sccs']:
        names = []
        for m in s['members']:
            i = int(m.lstrip('@'))
            if fmt0 == 'dimacs':
                names.append(str(list(G.nodes)[i - 1]))
            else:
                names.append(str(order[i]) if symbolic else str(i))
        got.add(frozenset(names))
    return (got, doc['summary']), None


def graphs():
    rnd = random.Random(15)
    out = []
    gnp = ((1, 300, 0.006), (2, 400, 0.004), (3, 200, 0.012))
    for seed, n, p in gnp[:1] if SMALL else gnp:
        out.append((f'gnp({n}, {p}, seed={seed})', nx.gnp_random_graph(n, p, seed=seed,
                                                                        directed=True)))
    G = nx.gnp_random_graph(250, 0.003, seed=4, directed=True)
    for v in rnd.sample(range(250), 12):
        G.add_edge(v, v)
    out.append(('gnp with self-loops', G))
    out.append(('no edges', nx.empty_graph(40, create_using=nx.DiGraph)))
    H = nx.relabel_nodes(nx.gnp_random_graph(150, 0.012, seed=5, directed=True),
                         {i: f'obj_{i}' for i in range(150)})
    out.append(('symbolic names', H))
    return out


def test_oracle(exe, tmp):
    for gname, G in graphs():
        expect = oracle(G)
        symbolic = gname == 'symbolic names'
        check(gname != 'no edges' or not expect, f'{gname}: oracle sanity')
        for fmt, (ext, write) in writers().items():
            if G.number_of_edges() == 0 and fmt in ('edgelist', 'ncol', 'lgl'):
                continue  # an empty file: nothing to read
            path = os.path.join(tmp, f'g.{ext}')
            write(G, path)
            for forced in (False, True):
                res, why = scan_sccs(exe, path, fmt, forced, symbolic, G)
                what = f'{gname}: {fmt}{" (--format)" if forced else ""}'
                if res is None:
                    check(False, f'{what}: {why}')
                    continue
                got, summary = res
                check(got == expect and summary['cyclic_sccs'] == len(expect),
                      f'{what}: {len(expect)} cyclic SCCs, the same members')
                nodes = G.number_of_nodes() if fmt not in ('edgelist', 'ncol', 'lgl') else \
                    len(node_order(fmt, G))
                check(summary['objects'] == nodes and summary['references'] ==
                      G.number_of_edges(), f'{what}: {nodes} objects, '
                      f'{G.number_of_edges()} references')


def attr_graph():
    G = nx.DiGraph()
    G.add_node(10, type='Leaky', size=100)
    G.add_node(11, type='Holder', size=24)
    G.add_node(12, type='Root', size=8)
    G.add_edge(10, 11, label='next')
    G.add_edge(11, 10, label='prev')
    G.add_edge(12, 10, label='head')
    return G


def test_attributes(exe, tmp):
    G = attr_graph()
    files = {}
    files['graphml'] = os.path.join(tmp, 'a.graphml')
    nx.write_graphml(G, files['graphml'])
    files['gml'] = os.path.join(tmp, 'a.gml')
    nx.write_gml(G, files['gml'])
    files['dot'] = os.path.join(tmp, 'a.dot')
    with open(files['dot'], 'w') as f:
        f.write('digraph { node [shape=box];\n'
                '  10 [type=Leaky, size=100]; 11 [label=Holder, size=24];\n'
                '  12 [type=Root, size=8, color=red];\n'
                '  10 -> 11 [label=next]; 11 -> 10 [label="prev"]; 12 -> 10 [label=head];\n}\n')
    for fmt, path in files.items():
        rc, out, err = run(exe, ['scan', '--json', '--members', path])
        if rc != 0:
            check(False, f'attributes {fmt}: exit {rc}: {err.strip()}')
            continue
        doc = json.loads(out)
        s = doc['sccs'][0] if doc['sccs'] else {}
        # networkx's GML writes positions as ids (the names go in labels).
        members = ['@0', '@1'] if fmt == 'gml' else ['@10', '@11']
        check(doc['summary']['cyclic_sccs'] == 1 and s.get('bytes') == 124 and
              s.get('types') == {'Leaky': 1, 'Holder': 1} and
              sorted(s.get('members', [])) == members,
              f'attributes {fmt}: type/label -> type, size -> bytes, numeric id -> @id')
        labels = {c.get('label') for c in s.get('cycle', [])}
        check(labels & {'next', 'prev'}, f'attributes {fmt}: edge labels ({labels})')
    # Defaults: no attributes -> type "node", 0 bytes.
    path = os.path.join(tmp, 'plain.edges')
    with open(path, 'w') as f:
        f.write('a b\nb a\n')
    rc, out, err = run(exe, ['scan', '--json', '--members', path])
    doc = json.loads(out) if rc == 0 else {}
    s = doc.get('sccs', [{}])[0]
    check(rc == 0 and s.get('types') == {'node': 2} and s.get('bytes') == 0 and
          sorted(s.get('members', [])) == ['@0', '@1'],
          'defaults: type "node", 0 bytes, symbolic names numbered from @0')


# DOT: plain files are read by cycletool's fast path, anything else by
# cgraph.  An empty subgraph before the last brace sends a file to cgraph
# without changing its graph: both readers must give the same report.
FAST_DOT = {
    'gnp': None,
    'escapes': 'digraph "g x" {\n  "a\\"b" -> "c\\\\d" [label="x\\"y"];\n  "c\\\\d" -> "a\\"b";\n}\n',
    'numerals': 'digraph { -1 -> .5; .5 -> 2.25; 2.25 -> -1 [label=7]; 3; }\n',
    'comments': '# a line comment\n// another\ndigraph { /* c */ a -> b; # not at line start? no\n'
                'b -> a // tail\n}\n',
    'defaults': 'digraph { node [type=T, size=8]; edge [label=e, kind=weak]; rankdir=LR;\n'
                'a -> b; b -> a [kind=strong]; c [type=U] [size=16]; c -> a; a -> c }\n',
    'undirected': 'graph { a -- b; b -- a; c -- c; "node" -- c }\n',
    'labels': 'digraph { a [label="\\N"]; b [label=Holder]; a -> b; b -> a; }\n',
    'unicode': 'digraph { ä -> "ö ü"; "ö ü" -> ä; x_1 -> x_1 }\n',
}


def test_fast_dot(exe, tmp):
    G = nx.gnp_random_graph(300, 0.008, seed=9, directed=True)
    for name, text in FAST_DOT.items():
        a, b = os.path.join(tmp, 'fast.dot'), os.path.join(tmp, 'cgraph.dot')
        if text is None:
            write_dot(G, a)
            text = open(a).read()
        cut = text.rstrip().rfind('}')
        with open(a, 'w') as f:
            f.write(text)
        with open(b, 'w') as f:
            f.write(text[:cut] + ' subgraph cgraph_only { }\n' + text[cut:])
        docs = []
        for path in (a, b):
            rc, out, err = run(exe, ['scan', '--full-graph', '--json', '--members', path])
            doc = json.loads(out) if rc == 0 else {'rc': rc, 'err': err}
            doc.pop('file', None)
            docs.append(doc)
        check(docs[0] == docs[1] and 'rc' not in docs[0],
              f'dot {name}: the fast reader and cgraph give the same report'
              f'{"" if docs[0] == docs[1] else f" ({docs[0]} / {docs[1]})"}'[:400])


def test_misc(exe, tmp):
    G = nx.gnp_random_graph(120, 0.015, seed=7, directed=True)
    path = os.path.join(tmp, 'z.graphml')
    nx.write_graphml(G, path)
    with open(path, 'rb') as f, gzip.open(path + '.gz', 'wb') as g:
        g.write(f.read())
    res, why = scan_sccs(exe, path + '.gz', 'graphml', False, False, G)
    check(res is not None and res[0] == oracle(G), f'gzip\'d GraphML: {why or "same SCCs"}')
    # top lists nodes @0..@3 (V8's rules for its synthetic nodes are not
    # a graph file's).
    path2 = os.path.join(tmp, 'top.edges')
    with open(path2, 'w') as f:
        f.write('9 0\n0 1\n1 2\n2 0\n0 3\n3 4\n')
    rc, out, err = run(exe, ['top', '--json', path2])
    ids = [o.get('id') for o in json.loads(out).get('objects', [])] if rc == 0 else []
    check('@0' in ids and '@9' in ids, f'top on an edge list lists @0 and @9 ({ids})')
    # --format forces the reader: a GraphML file read as GML fails.
    rc, out, err = run(exe, ['scan', '--format', 'gml', path])
    check(rc == 3 and not out and len(err.splitlines()) == 1 and 'gml' in err,
          f'--format gml on GraphML: exit 3, one line ({err.strip()})')


BAD = {
    'truncated.graphml': ('<?xml version="1.0"?>\n<graphml xmlns="http://graphml.graphdrawing'
                          '.org/xmlns">\n<graph edgedefault="directed">\n<node id="a"/>\n'),
    'not-xml.graphml': '<graphml><graph><node id="a"></graph>\n',
    'truncated.gml': 'graph [\n  directed 1\n  node [ id 1 ]\n  edge [ source 1\n',
    'gml-bad-edge.gml': 'graph [\n  directed 1\n  node [ id 1 ]\n  edge [ source 1 target 7 ]\n]\n',
    'pajek-range.net': '*Vertices 2\n1 "a"\n2 "b"\n*Arcs\n1 9\n',
    'pajek-junk.net': '*Vertices 2\n1 "a"\n*Arcs\n1 2 3 4 x y\n',
    'dot-open.dot': 'digraph g {\n a -> b;\n',
    'dot-junk.dot': 'digraph g {\n a -> -> b;\n}\n',
    'edgelist-weight.edges': '1 2\n2 1 w\n',
    'lgl-bad.lgl': '# a\nb\nc d e\n',
    'dimacs-arc.dimacs': 'c bad arc\np max 3 2\nn 1 s\nn 3 t\na 1 2 5\na 2\n',
    'dimacs-range.dimacs': 'p max 3 1\nn 1 s\nn 3 t\na 1 7 5\n',
    'dimacs-problem.dimacs': 'p flow 3 1\na 1 2 5\n',
}

FORMAT_OF = {'graphml': 'graphml', 'gml': 'gml', 'net': 'pajek', 'dot': 'dot',
             'edges': 'edgelist', 'lgl': 'lgl', 'dimacs': 'dimacs'}


def test_bad(exe, tmp):
    for name, text in BAD.items():
        path = os.path.join(tmp, name)
        with open(path, 'w') as f:
            f.write(text)
        fmt = FORMAT_OF[name.rsplit('.', 1)[1]]
        for args in (['scan', path], ['scan', '--format', fmt, path]):
            rc, out, err = run(exe, args)
            lines = err.splitlines()
            check(rc == 3 and not out and len(lines) == 1 and lines[0].startswith('cycletool: ')
                  and not lines[0].endswith('.') and 'Assertion' not in err,
                  f'bad {name} {" ".join(args[1:-1])}: exit 3, one line '
                  f'({lines[0] if lines else ""})')


def main():
    exe = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        test_oracle(exe, tmp)
        test_attributes(exe, tmp)
        test_misc(exe, tmp)
        test_fast_dot(exe, tmp)
        test_bad(exe, tmp)
    if failures:
        print(f'{len(failures)} failures')
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())

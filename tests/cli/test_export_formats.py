#!/usr/bin/env python3
"""cycletool export --format: graph files read back by networkx and graphviz.

usage: test_export_formats.py CYCLETOOL SOURCE_ROOT [CASE]
CASE: python, v8, hprof (one dump each), selection, or all (the default).

For each bundled dump (a Python JSON-lines dump, a V8 heap snapshot, a
gzip'd HPROF dump; CT_TEST_SMALL keeps the Python one) the graph is
exported in every format and read back:
  - GraphML, GML, Pajek and the edge list by networkx, DOT by graphviz
    (gvpr prints every node and edge with its attributes; dot -Tcanon
    must accept it);
  - the nodes are the dump's objects (`scan --json` counts them), the
    edges its references, the same id -> (type, name, bytes, garbage,
    scc) and the same (from, to, label, kind) multiset in every format
    that carries them;
  - for the Python dump, ids, types, sizes and references are those of
    the JSON lines themselves;
  - the scc attribute is the id `scan --json --members` gives each
    member, garbage true for the members of its garbage SCCs;
  - exported files scanned again (`scan --full-graph`) give the same
    cyclic SCCs (same member ids) as the dump itself;
  - no duplicate keys (GraphML <key> ids, GML node and edge keys);
  - selections: --scc writes exactly that SCC's members, --object the
    neighbourhood render draws, --top/--garbage/--max-nodes refuse or
    cut as render does; usage errors exit 2; an unwritable output 4.
Skipped (status 77) without networkx.
The binary is run as "$CT_WRAPPER CYCLETOOL ..." when CT_WRAPPER is set.
"""
import collections
import gzip
import json
import os
import re
import shlex
import shutil
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
# Under valgrind (CT_TEST_SMALL) and under the sanitizers (tests/run sets
# ASAN_OPTIONS for its ASan build) the big dumps are left out: see main().
SMALL = bool(os.environ.get('CT_TEST_SMALL') or os.environ.get('ASAN_OPTIONS'))
FORMATS = ['graphml', 'gml', 'dot', 'pajek', 'edgelist']


def check(cond, what):
    if cond:
        print(f'ok   {what}')
    else:
        failures.append(what)
        print(f'FAIL {what}')


def run(exe, args):
    p = subprocess.run(WRAPPER + [exe] + args, capture_output=True, timeout=1200)
    return p.returncode, p.stdout.decode('utf-8', 'replace'), p.stderr.decode('utf-8', 'replace')


def scan(exe, path, full=False):
    rc, out, err = run(exe, ['scan', '--json', '--members'] +
                       (['--full-graph'] if full else []) + [path])
    if rc != 0:
        raise RuntimeError(f'scan {path}: exit {rc}: {err.strip()}')
    return json.loads(out)


# ---- reading each format back ----

def num(x):
    return int(float(x))


def read_graphml(path):
    G = nx.read_graphml(path)
    nodes = {}
    for _, d in G.nodes(data=True):
        nodes[d['id']] = (d['type'], d.get('name', ''), num(d['bytes']), bool(d['garbage']),
                          num(d['scc']))
    edges = collections.Counter()
    for u, v, d in G.edges(data=True):
        edges[(G.nodes[u]['id'], G.nodes[v]['id'], d.get('label', ''), d['kind'])] += 1
    return nodes, edges, [G.nodes[v]['id'] for v in G.nodes]


def read_gml(path):
    G = nx.read_gml(path)  # keyed by label: cycletool's id
    nodes = {v: (d['type'], d.get('name', ''), num(d['bytes']), bool(d['garbage']),
                 num(d['scc'])) for v, d in G.nodes(data=True)}
    edges = collections.Counter((u, v, d.get('label', ''), d['kind'])
                                for u, v, d in G.edges(data=True))
    return nodes, edges, list(G.nodes)


def read_pajek(path):
    G = nx.read_pajek(path)
    return {v: None for v in G.nodes}, collections.Counter(G.edges()), None


def read_edgelist(path):
    G = nx.read_edgelist(path, create_using=nx.MultiDiGraph)
    return None, collections.Counter(G.edges()), None


GVPR = r'''N { printf("N\t%s\t%s\t%s\t%s\t%s\t%s\n", $.name, aget($, "type"),
                aget($, "name"), aget($, "bytes"), aget($, "garbage"), aget($, "scc")); }
E { printf("E\t%s\t%s\t%s\t%s\n", $.tail.name, $.head.name, aget($, "label"),
           aget($, "kind")); }'''


def read_dot(path):
    """graphviz reads it back: gvpr lists nodes and edges with attributes."""
    # nop: graphviz's own parse and canonical rewrite, without a layout.
    p = subprocess.run(['nop', path], capture_output=True, timeout=600)
    if p.returncode != 0 or p.stderr:
        raise RuntimeError(f'nop: {p.stderr.decode().strip()}')
    p = subprocess.run(['gvpr', GVPR, path], capture_output=True, timeout=600)
    if p.returncode != 0:
        raise RuntimeError(f'gvpr: {p.stderr.decode().strip()}')
    nodes, edges, order = {}, collections.Counter(), []
    for line in p.stdout.decode().split('\n'):
        f = line.split('\t')
        if f[0] == 'N':
            nodes[f[1]] = (f[2], f[3], num(f[4]), f[5] == 'true', num(f[6]))
            order.append(f[1])
        elif f[0] == 'E':
            edges[(f[1], f[2], f[3], f[4])] += 1
    return nodes, edges, order


READ = {'graphml': read_graphml, 'gml': read_gml, 'dot': read_dot, 'pajek': read_pajek,
        'edgelist': read_edgelist}


def no_duplicate_keys(fmt, path):
    text = open(path, encoding='utf-8').read()
    if fmt == 'graphml':
        keys = re.findall(r'<key id="([^"]*)"', text)
        return len(keys) == len(set(keys))
    if fmt == 'gml':
        # Each node [ ... ] and edge [ ... ] block: one line per key.
        for block in re.findall(r'(?:node|edge)\s*\[(.*?)\]', text, re.S):
            keys = [ln.split()[0] for ln in block.strip().split('\n') if ln.strip()]
            if len(keys) != len(set(keys)):
                return False
    return True


# ---- the dump's own view ----

def python_view(path):
    """Ids, types, sizes and references of a Python JSON-lines dump."""
    opener = gzip.open if path.endswith('.gz') else open
    types, edges = {}, collections.Counter()
    with opener(path, 'rt') as f:
        for line in f:
            o = json.loads(line)
            if 'address' not in o:
                continue
            a = hex(o['address'])
            types[a] = (o['type'], o['size'])
            for r in o.get('refs', []) + o.get('weak', []):
                edges[(a, hex(r))] += 1
    return types, edges


def dotsafe(s):
    return s.replace('\\', '\\\\')


def nx_cyclic(edges):
    """networkx's cyclic SCCs of an edge multiset, by node id."""
    G = nx.DiGraph(list(edges))
    return {frozenset(c) for c in nx.strongly_connected_components(G)
            if len(c) > 1 or any(G.has_edge(v, v) for v in c)}


def scc_members(doc):
    """{frozenset of member ids}, and id -> (scc id, garbage)."""
    sets, of = set(), {}
    for s in doc['sccs']:
        sets.add(frozenset(s['members']))
        for m in s['members']:
            of[m] = (s['id'], s['garbage'])
    return sets, of


def test_dump(exe, tmp, dump):
    name = os.path.basename(dump)
    doc = scan(exe, dump)
    full = scan(exe, dump, full=True)
    _, of = scc_members(doc)
    want_sets, _ = scc_members(full)
    views = {}
    for fmt in FORMATS:
        out = os.path.join(tmp, f'{name}.{fmt}')
        rc, _, err = run(exe, ['export', '--format', fmt, '-o', out, dump])
        if rc != 0:
            check(False, f'{name} {fmt}: exit {rc}: {err.strip()}')
            continue
        check(no_duplicate_keys(fmt, out), f'{name} {fmt}: no duplicate keys')
        try:
            views[fmt] = READ[fmt](out)
        except Exception as e:  # the reader refused the file
            check(False, f'{name} {fmt}: read back: {e}')
            continue
        check(True, f'{name} {fmt}: read back')
        # Scanned again: the same cyclic SCCs, by member ids (GML numbers
        # nodes by position: mapped through its labels).
        again = scan(exe, out, full=True)
        got, _ = scc_members(again)
        order = views[fmt][2]
        if fmt == 'gml':
            got = {frozenset(order[int(m.lstrip('@'))] for m in s) for s in got}
        want = want_sets
        if fmt in ('pajek', 'edgelist'):
            # Edge kinds are lost: every edge is strong, as networkx
            # reads the file.
            want = nx_cyclic(views[fmt][1])
        check(got == want, f'{name} {fmt}: export -> scan gives the same '
              f'{len(want_sets)} cyclic SCCs (got {len(got)})')

    if 'graphml' not in views:
        return
    nodes, edges, _ = views['graphml']
    check(len(nodes) == doc['summary']['objects'],
          f"{name}: graphml has the dump's {doc['summary']['objects']} objects ({len(nodes)})")
    check(sum(edges.values()) == doc['summary']['references'],
          f"{name}: graphml has the dump's {doc['summary']['references']} references "
          f"({sum(edges.values())})")
    bad = [m for m, (sid, garbage) in of.items()
           if m not in nodes or nodes[m][4] != sid or nodes[m][3] != garbage]
    check(not bad, f'{name}: scc and garbage of every SCC member as scan says ({bad[:3]})')
    in_scc = set(of) | {m for s in want_sets for m in s}
    stray = [v for v, a in nodes.items() if a[4] and v not in in_scc]
    check(not stray, f'{name}: scc is 0 outside cyclic SCCs ({stray[:3]})')
    for fmt in ('gml', 'dot'):
        if fmt not in views:
            continue
        n2, e2, _ = views[fmt]
        n1, e1 = nodes, edges
        if fmt == 'dot':
            # DOT doubles each backslash (graphviz's escString).
            n1 = {v: (dotsafe(a[0]), dotsafe(a[1])) + a[2:] for v, a in nodes.items()}
            e1 = collections.Counter({(u, v, dotsafe(lb), k): c
                                      for (u, v, lb, k), c in edges.items()})
        check(n2 == n1, f"{name}: {fmt} nodes and attributes == graphml's")
        check(e2 == e1, f"{name}: {fmt} edges, labels and kinds == graphml's")
    pairs = collections.Counter()
    for (u, v, _, _), k in edges.items():
        pairs[(u, v)] += k
    if 'pajek' in views:
        check(set(views['pajek'][0]) == set(nodes) and views['pajek'][1] == pairs,
              f"{name}: pajek ids and edges == graphml's")
    if 'edgelist' in views:
        check(views['edgelist'][1] == pairs, f"{name}: edge list == graphml's edges")
    if dump.endswith('.jsonl') or dump.endswith('.jsonl.gz'):
        types, refs = python_view(dump)
        check({v: (a[0], a[2]) for v, a in nodes.items()} == types,
              f'{name}: ids, types and sizes are the JSON lines\' own')
        check(pairs == refs, f"{name}: references are the JSON lines' own")


def test_selection(exe, tmp, root):
    dump = os.path.join(root, 'testdata', 'python', 'leaky_tree.jsonl')
    doc = scan(exe, dump)
    s = doc['sccs'][1]
    out = os.path.join(tmp, 'scc.graphml')
    rc, _, err = run(exe, ['export', '--format', 'graphml', '--scc', str(s['id']), '-o', out,
                           dump])
    nodes = read_graphml(out)[0] if rc == 0 else {}
    check(rc == 0 and set(nodes) == set(s['members']) and
          all(a[4] == s['id'] for a in nodes.values()),
          f"--scc {s['id']}: exactly its {s['size']} members ({rc} {err.strip()})")
    m = s['members'][0]
    rc, out_, err = run(exe, ['export', '--format', 'edgelist', '--object', m, '--depth', '1',
                              dump])
    G = nx.read_edgelist(out_.splitlines(), create_using=nx.MultiDiGraph)
    check(rc == 0 and m in G and all(u == m or v == m for u, v in G.edges()),
          f'--object {m} --depth 1: the object and its references ({rc} {err.strip()})')
    rc, out_, err = run(exe, ['export', '--format', 'dot', '--top', '2', '--max-nodes', '3',
                              dump])
    check(rc == 0 and 'export cut at 3 objects' in err and out_.count('type=') <= 3,
          f'--top 2 --max-nodes 3: cut and said so ({err.strip()})')
    rc, out_, err = run(exe, ['export', '--format', 'gml', '--garbage', dump])
    G = nx.parse_gml(out_) if rc == 0 else None
    check(G is not None and len(G) > 0 and all(d['garbage'] for _, d in G.nodes(data=True)),
          '--garbage: garbage objects only')
    for args, what in [(['--format', 'svg'], 'unknown format'),
                       (['--format', 'dot', '--root', m], '--root with --format'),
                       (['--format', 'dot', '--ref-style', 'id'], '--ref-style with --format'),
                       (['--garbage', '--root', m], '--garbage without --format'),
                       (['--format', 'dot', '--depth', '2'], '--depth without --object'),
                       (['--format', 'dot', '--scc', '1', '--object', m], '--scc and --object')]:
        rc, _, err = run(exe, ['export'] + args + [dump])
        check(rc == 2 and err.startswith('cycletool: '), f'usage error: {what} ({rc})')
    rc, _, err = run(exe, ['export', '--format', 'graphml', '-o', '/dev/full', dump])
    check(rc == 4 and 'No space left' in err, f'/dev/full: exit 4 ({rc} {err.strip()})')
    rc, out_, _ = run(exe, ['export', '--help'])
    check(rc == 0 and '--format=FORMAT' in out_ and 'graphml, gml, dot, pajek' in out_,
          'export --help names the graph formats')
    rc, out_, err = run(exe, ['export', '-f', 'python', '--format', 'edgelist', dump])
    check(rc == 0 and out_.count('\n') == doc['summary']['references'],
          f'-f names the input, --format the output ({rc} {err.strip()})')


def main():
    exe, root = sys.argv[1], sys.argv[2]
    case = sys.argv[3] if len(sys.argv) > 3 else 'all'
    if not shutil.which('gvpr') or not shutil.which('dot'):
        FORMATS.remove('dot')
    dumps = {'python': os.path.join(root, 'testdata', 'python', 'leaky_tree.jsonl'),
             'v8': os.path.join(root, 'testdata', 'v8', 'cycles.heapsnapshot.gz'),
             'hprof': os.path.join(root, 'testdata', 'java', 'leaky.hprof.gz')}
    # Under valgrind or ASan (SMALL) the V8 and HPROF dumps are left out:
    # igraph's GraphML reader grows its buffers by realloc, which valgrind
    # and ASan cannot do in place (the V8 export's scan-back: 1.4 s, over
    # 5 minutes under ASan).
    if SMALL and case in ('hprof', 'v8'):
        print('under valgrind or ASan: the V8 and HPROF dumps are left out')
        sys.exit(77)
    with tempfile.TemporaryDirectory() as tmp:
        for key, d in dumps.items():
            if case == key or (case == 'all' and not (SMALL and key != 'python')):
                test_dump(exe, tmp, d)
        if case in ('all', 'selection'):
            test_selection(exe, tmp, root)
    if failures:
        print(f'{len(failures)} failed')
        sys.exit(1)


if __name__ == '__main__':
    main()

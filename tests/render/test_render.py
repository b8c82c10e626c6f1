#!/usr/bin/env python3
"""Tests of `cycletool render`, with graphviz itself as the judge of what
was drawn: every DOT file is read back by `dot -Tjson`, and the nodes,
edges, labels and clusters found there are compared with what
`cycletool scan --json` reports and with a breadth-first search written
here over the dump itself.

usage: test_render.py CYCLETOOL DUMP_DIR
The binary is run as "$CT_WRAPPER CYCLETOOL ..." when CT_WRAPPER is set.
"""
import json
import os
import shlex
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

failures = []


def run(exe, args, **kw):
    wrapper = shlex.split(os.environ.get('CT_WRAPPER', ''))
    return subprocess.run(wrapper + [exe] + args, capture_output=True, timeout=600, **kw)


def check(name, cond, detail=''):
    if cond:
        print('ok  ', name)
    else:
        failures.append(name)
        print('FAIL', name, detail)


def read_dot(path):
    """The graph as graphviz reads it: {nodes: {name: attrs}, edges: [(tail, head, attrs)], clusters}."""
    p = subprocess.run(['dot', '-Tjson', path], capture_output=True, timeout=300)
    if p.returncode != 0:
        raise RuntimeError('dot could not read %s: %s' % (path, p.stderr.decode()))
    doc = json.loads(p.stdout)
    objs = doc.get('objects', [])
    nclusters = doc.get('_subgraph_cnt', 0)
    nodes = {o['_gvid']: o for o in objs if 'nodes' not in o}
    clusters = [o for o in objs if 'nodes' in o]
    edges = [(nodes[e['tail']], nodes[e['head']], e) for e in doc.get('edges', [])]
    return nodes, edges, clusters, nclusters


def is_stub(node):
    return node.get('name', '').startswith('cut')


def test_groups(exe, dump, tmp):
    """Each cluster holds its group's representative cycle, with its labels."""
    scan = json.loads(run(exe, ['scan', '--json', dump]).stdout)
    dot = os.path.join(tmp, 'groups.dot')
    p = run(exe, ['render', '--top', '3', '-o', dot, dump])
    check('render --top 3 exits 0', p.returncode == 0, p.stderr)
    nodes, edges, clusters, _ = read_dot(dot)
    drawn = {n['tooltip']: n for n in nodes.values() if not is_stub(n)}
    by_addr_edges = {}
    for t, h, e in edges:
        by_addr_edges.setdefault((t.get('tooltip'), h.get('tooltip')), []).append(e.get('label', ''))
    check('three clusters drawn', len(clusters) == 3, len(clusters))
    sccs = {s['id']: s for s in scan['sccs']}
    # The groups drawn: garbage groups first, by bytes.
    groups = sorted(scan['groups'], key=lambda g: (g['garbage'] == 0,))[:3]
    for g in groups:
        rep = sccs[g['representative']]
        cyc = rep['cycle']
        ok = all(step['address'] in drawn for step in cyc)
        check('group %d: cycle nodes drawn' % g['group'], ok)
        for i, step in enumerate(cyc):
            nxt = cyc[(i + 1) % len(cyc)]
            labels = by_addr_edges.get((step['address'], nxt['address']), [])
            want = step.get('label') or ''
            check('group %d: edge %s -%s-> %s' % (g['group'], step['type'], want, nxt['type']),
                  want in labels, labels)
        title = [c for c in clusters if g['signature'].replace('\\', '\\\\') in c.get('label', '')
                 or g['signature'] in c.get('label', '')]
        check('group %d: a cluster is labelled with its signature' % g['group'], bool(title))
        # Garbage is drawn red, alive green.
        colors = {drawn[s['address']].get('fillcolor') for s in cyc}
        check('group %d: one colour for its state' % g['group'], len(colors) == 1, colors)


def bfs(dump, start, depth, backrefs):
    """Addresses within depth references of start (independent of cycletool)."""
    refs, back = {}, {}
    for line in open(dump):
        o = json.loads(line)
        if 'address' not in o:
            continue
        out = list(o['refs']) + list(o.get('weak', []))
        refs[o['address']] = out
        for r in out:
            back.setdefault(r, []).append(o['address'])
    seen, frontier = {start}, [start]
    for _ in range(depth):
        nxt = []
        for a in frontier:
            for b in refs.get(a, []) + (back.get(a, []) if backrefs else []):
                if b not in seen:
                    seen.add(b)
                    nxt.append(b)
        frontier = nxt
    return {hex(a) for a in seen}


def test_object(exe, dump, tmp):
    """--object ADDR --depth N [--backrefs] draws exactly the neighbourhood."""
    scan = json.loads(run(exe, ['scan', '--json', dump]).stdout)
    start = scan['sccs'][0]['cycle'][0]['address']
    for depth, backrefs in ((1, False), (2, False), (2, True)):
        dot = os.path.join(tmp, 'obj.dot')
        args = ['render', '--object', start, '--depth', str(depth), '--max-nodes', '100000',
                '-o', dot, dump] + (['--backrefs'] if backrefs else [])
        p = run(exe, args)
        nodes, _, _, _ = read_dot(dot)
        got = {n['tooltip'] for n in nodes.values() if not is_stub(n)}
        want = bfs(dump, int(start, 16), depth, backrefs)
        check('--object depth %d%s: the neighbourhood' % (depth, ' --backrefs' if backrefs else ''),
              p.returncode == 0 and got == want,
              'missing %d, extra %d' % (len(want - got), len(got - want)))


def test_cap(exe, dump, tmp):
    """--max-nodes is honoured, and what it cuts is marked."""
    scan = json.loads(run(exe, ['scan', '--json', dump]).stdout)
    big = max(scan['sccs'], key=lambda s: s['size'] - len(s['cycle']))
    cap = len(big['cycle'])
    if big['size'] == cap:
        print('skip --max-nodes: no SCC bigger than its cycle in', dump)
        return
    dot = os.path.join(tmp, 'cap.dot')
    p = run(exe, ['render', '--scc', str(big['id']), '--max-nodes', str(cap), '-o', dot, dump])
    nodes, edges, _, _ = read_dot(dot)
    real = [n for n in nodes.values() if not is_stub(n)]
    stubs = [n for n in nodes.values() if is_stub(n)]
    check('--max-nodes %d: exactly the cycle drawn' % cap, len(real) == cap, len(real))
    check('--max-nodes %d: one stub marks the cut' % cap,
          len(stubs) == 1 and stubs[0]['label'].startswith('%d more not drawn' % (big['size'] - cap)),
          [s['label'] for s in stubs])
    msg = ('cut at %d objects' % cap).encode()
    check('--max-nodes %d: said on stderr' % cap, msg in p.stderr, p.stderr)
    out = subprocess.run(['dot', '-Tjson', dot], capture_output=True).stdout
    check('--max-nodes %d: said in the picture' % cap, ('cut at %d nodes' % cap).encode() in out)
    # The stubs account for every reference between drawn and cut members.
    members = set()
    p = run(exe, ['scan', '--json', '--members', dump])
    for s in json.loads(p.stdout)['sccs']:
        if s['id'] == big['id']:
            members = set(s['members'])
    drawn = {n['tooltip'] for n in real}
    cut = members - drawn
    want = 0
    for line in open(dump):
        o = json.loads(line)
        a = hex(o.get('address', 0))
        if a in drawn:
            want += sum(1 for r in o['refs'] + o.get('weak', []) if hex(r) in cut)
    got = sum(int(e['cut']) for t, h, e in edges if is_stub(h))
    check('--max-nodes %d: stubs count the references to cut members' % cap, got == want,
          (got, want))


def test_formats(exe, dump, tmp):
    png = os.path.join(tmp, 'x.png')
    p = run(exe, ['render', '--top', '2', '-o', png, dump])
    data = open(png, 'rb').read() if os.path.exists(png) else b''
    ok = data[:8] == b'\x89PNG\r\n\x1a\n' and data[12:16] == b'IHDR'
    w, h = struct.unpack('>II', data[16:24]) if ok else (0, 0)
    check('PNG: a valid file of plausible size', p.returncode == 0 and ok and w > 50 and h > 50
          and len(data) > 2000, (p.returncode, len(data), w, h))
    svg = os.path.join(tmp, 'x.svg')
    p = run(exe, ['render', '--top', '2', '-o', svg, dump])
    root = ET.parse(svg).getroot()
    ns = '{http://www.w3.org/2000/svg}'
    groups = [g for g in root.iter(ns + 'g') if g.get('class') == 'node']
    check('SVG: valid XML with nodes', p.returncode == 0 and root.tag == ns + 'svg' and groups,
          len(groups))
    # -T overrides the extension; -o - writes DOT to stdout for a pipe.
    p = run(exe, ['render', '--top', '1', '-T', 'svg', '-o', os.path.join(tmp, 'y.dot'), dump])
    check('-T svg into a .dot name writes SVG',
          p.returncode == 0 and b'<svg' in open(os.path.join(tmp, 'y.dot'), 'rb').read())
    p = run(exe, ['render', '--top', '1', '-o', '-', dump])
    q = subprocess.run(['dot', '-Tsvg'], input=p.stdout, capture_output=True)
    check('-o - pipes DOT into dot', p.returncode == 0 and q.returncode == 0 and b'<svg' in q.stdout)
    p = run(exe, ['render', '--top', '1', dump])
    text = p.stdout.decode()
    check('no -o: a text tree', p.returncode == 0 and '\u2514\u2500\u2500' in text, text[:200])


def test_by_type(exe, dump, tmp):
    dot = os.path.join(tmp, 'bt.dot')
    p = run(exe, ['render', '--top', '1', '--by-type', '-o', dot, dump])
    nodes, edges, _, _ = read_dot(dot)
    dot2 = os.path.join(tmp, 'plain.dot')
    run(exe, ['render', '--top', '1', '-o', dot2, dump])
    plain, _, _, _ = read_dot(dot2)
    types = {n['label'].split('\\n')[0] for n in plain.values() if not is_stub(n)}
    got = {n['label'].split('\\n')[0] for n in nodes.values()}
    check('--by-type: one node per type', p.returncode == 0 and got == types, (got, types))


def test_errors(exe, dump, tmp):
    for args, status in ((['--scc', '999999'], 2), (['--signature', 'no such'], 2),
                         (['--object', '0x1'], 3), (['-T', 'gif'], 2),
                         (['-o', os.path.join(tmp, 'x.gif')], 2), (['--max-nodes', '0'], 2),
                         (['--backrefs'], 2), (['--scc', '1', '--object', '0x1'], 2)):
        p = run(exe, ['render'] + args + [dump])
        err = p.stderr.decode()
        check('render %s: exit %d with a message' % (' '.join(args), status),
              p.returncode == status and err.startswith('cycletool: '), (p.returncode, err))
    # A failed write leaves no half file behind.
    p = run(exe, ['render', '-o', '/nonexistent-dir/x.png', dump])
    check('unwritable output: exit 4', p.returncode == 4, p.returncode)


def main():
    exe, data = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        for name in ('leaky_tree', 'pool', 'minidom', 'finalizers'):
            dump = os.path.join(data, name + '.jsonl')
            print('==', name)
            test_groups(exe, dump, tmp)
            test_object(exe, dump, tmp)
            test_cap(exe, dump, tmp)
            test_by_type(exe, dump, tmp)
        dump = os.path.join(data, 'pool.jsonl')
        test_formats(exe, dump, tmp)
        test_errors(exe, dump, tmp)
    print('%d failure(s)' % len(failures) if failures else 'all render tests passed')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())

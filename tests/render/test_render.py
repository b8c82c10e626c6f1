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
import re
import shlex
import struct
import subprocess
import sys
import tempfile
import time
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
    # The groups drawn: scan's first three (garbage first), the runtime's
    # left out.
    groups = [g for g in scan['groups'] if not g['runtime']][:3]
    check('the first %d groups drawn' % len(groups), len(clusters) == len(groups) > 0,
          len(clusters))
    n_rt = min(3, len(scan['groups'])) - len(groups)
    if n_rt > 0:
        p = run(exe, ['render', '--top', '3', '--runtime', '-o', dot, dump])
        _, _, rt_clusters, _ = read_dot(dot)
        check('--runtime: the runtime\'s groups drawn too',
              p.returncode == 0 and len(rt_clusters) == len(groups) + n_rt, len(rt_clusters))
        p = run(exe, ['render', '--top', '3', '-o', dot, dump])
    sccs = {s['id']: s for s in scan['sccs']}
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


def owner_ring(path, n):
    """A garbage ring of n objects, each also referring to the first (.next,
    .owner): dot's worst shape, made by bench/make_owner_ring_dump.py.  Laid
    out with --scc 1 it has n nodes and 2n - 1 edges."""
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'bench',
                          'make_owner_ring_dump.py')
    subprocess.run([sys.executable, script, str(n), path], check=True)
    return path


def comment(data):
    """The layout comment of a DOT or SVG picture."""
    text = data.decode('utf-8', 'replace')
    i = text.find('layout: ')
    return text[i:text.find('"' if text.startswith('digraph') else '-->', i)].strip() if i >= 0 else ''


def test_engine(exe, data, tmp):
    """The default engine follows the budget (dot up to 150 nodes plus edges,
    else sfdp), says so in the picture, and a big garbage graph is laid out
    in bounded time; asking for dot past the budget warns once."""
    # The boundary: a ring of 50 is 50 + 99 = 149, of 51 is 51 + 101 = 152.
    for n, want in ((50, 'dot'), (51, 'sfdp')):
        dump = owner_ring(os.path.join(tmp, 'ring%d.jsonl' % n), n)
        p = run(exe, ['render', '--scc', '1', '-o', '-', dump])
        c = comment(p.stdout)
        check('ring of %d: the DOT names %s as chosen' % (n, want),
              p.returncode == 0 and c.startswith('layout: %s, chosen: %d nodes and edges'
                                                 % (want, 3 * n - 1)), c)
    dump = os.path.join(tmp, 'ring51.jsonl')
    svg = os.path.join(tmp, 'ring.svg')
    p = run(exe, ['render', '--scc', '1', '--layout', 'dot', '-o', svg, dump])
    err = p.stderr.decode()
    lines = [l for l in err.splitlines() if 'sfdp' in l]
    check('--layout=dot past the budget: one warning naming sfdp',
          p.returncode == 0 and len(lines) == 1 and lines[0].startswith('cycletool: ')
          and 'dot' in lines[0], err)
    check('--layout=dot is obeyed and named in the SVG',
          comment(open(svg, 'rb').read()).startswith('layout: dot, as asked'))
    p = run(exe, ['render', '--scc', '1', '--layout', 'sfdp', '-o', svg, dump])
    check('--layout=sfdp: no warning', p.returncode == 0 and p.stderr == b'', p.stderr)
    p = run(exe, ['render', '--scc', '1', '--layout', 'dot', '-o', svg,
                  os.path.join(tmp, 'ring50.jsonl')])
    check('--layout=dot within the budget: no warning', p.returncode == 0 and p.stderr == b'',
          p.stderr)
    if os.environ.get('CT_WRAPPER'):
        print('skip bounded layout time: under', os.environ['CT_WRAPPER'])
        return
    # A big garbage graph, drawn as the user did: dot took minutes
    # on such graphs (the default cap of 300 objects, 600 edges, stubs).
    big = owner_ring(os.path.join(tmp, 'ring5000.jsonl'), 5000)
    t0 = time.monotonic()
    p = run(exe, ['render', '--garbage', '--top', '2', '-o', svg, big])
    took = time.monotonic() - t0
    c = comment(open(svg, 'rb').read()) if p.returncode == 0 else ''
    check('big garbage graph: laid out in under 60 s by sfdp, as the SVG says',
          p.returncode == 0 and took < 60 and c.startswith('layout: sfdp, chosen'),
          (p.returncode, took, c))
    minidom = os.path.join(data, 'minidom.jsonl')
    p = run(exe, ['render', '--garbage', '--top', '2', '-o', '-', minidom])
    check('small garbage graph: dot chosen', comment(p.stdout).startswith('layout: dot, chosen'),
          comment(p.stdout))


def run_pty(exe, args):
    """Run with stderr on a pseudo-terminal: (status, stderr text, seconds)."""
    import pty
    master, slave = pty.openpty()
    t0 = time.monotonic()
    p = subprocess.Popen([exe] + args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=slave)
    os.close(slave)
    out = b''
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    rc = p.wait(timeout=600)
    os.close(master)
    return rc, out.decode('utf-8', 'replace'), time.monotonic() - t0


def test_progress(exe, tmp):
    """Layout past a second says so on a terminal, and never elsewhere."""
    if os.environ.get('CT_WRAPPER'):
        print('skip progress: under', os.environ['CT_WRAPPER'])
        return
    # dot on a ring of 75 takes several seconds (bench/render_layout.sh).
    dump = owner_ring(os.path.join(tmp, 'ring75.jsonl'), 75)
    svg = os.path.join(tmp, 'p.svg')
    args = ['render', '--scc', '1', '--layout', 'dot', '-o', svg, dump]
    rc, err, took = run_pty(exe, args)
    if took < 1.5:
        print('skip progress on a terminal: dot took only %.1f s here' % took)
    else:
        check('terminal: progress names the graph and the engine, then the time',
              rc == 0 and 'cycletool: laying out 75 nodes and 149 edges with dot\u2026' in err
              and re.search(r'\u2026 done in \d+\.\d s', err), (rc, took, err))
    p = run(exe, args)
    check('not a terminal: no progress',
          p.returncode == 0 and b'laying out' not in p.stderr and b'done in' not in p.stderr,
          p.stderr)
    # A ring of 10 lays out in hundredths of a second; on a machine so
    # loaded that it took a second all the same, progress is right.
    small = owner_ring(os.path.join(tmp, 'ring10.jsonl'), 10)
    rc, err, took = run_pty(exe, ['render', '--top', '1', '-o', svg, small])
    if took >= 1.0:
        print('skip fast layout on a terminal: it took %.1f s here' % took)
    else:
        check('terminal, a fast layout: no progress', rc == 0 and 'laying out' not in err,
              (took, err))


def by_type_text(text):
    """The two tables of the by-type text: ({type: (objects, garbage)},
    {(from, to): refs})."""
    types, edges, part = {}, {}, None
    for line in text.splitlines():
        if line.startswith('  OBJECTS'):
            part = 'types'
        elif line.startswith('     REFS'):
            part = 'edges'
        elif not line.startswith('  '):
            part = None if not line else part
        elif part == 'types':
            f = line.split(None, 4)
            types[f[4]] = (int(f[0]), int(f[1]))
        elif part == 'edges':
            count, rest = line.split(None, 1)
            pair = rest.split('  (')[0]
            a, b = pair.split(' \u2192 ')
            edges[(a, b)] = int(count)
    return types, edges


def test_by_type_text(exe, dump, tmp):
    """--by-type in text: the aggregation the by-type picture draws, and the
    same counts as the plain picture's nodes and edges grouped by type."""
    dot = os.path.join(tmp, 'bt.dot')
    p = run(exe, ['render', '--top', '1', '--by-type', '-o', dot, dump])
    nodes, edges, _, _ = read_dot(dot)
    want_types = {}
    for n in nodes.values():
        name, count = n['label'].split('\\n')[:2]
        want_types[name] = int(count.split(',')[0].lstrip('x'))
    want_edges = {}
    for t, h, e in edges:
        want_edges[(t['label'].split('\\n')[0], h['label'].split('\\n')[0])] = \
            int(e['label'].split()[0].lstrip('x'))
    q = run(exe, ['render', '--top', '1', '--by-type', '-T', 'txt', dump])
    text = q.stdout.decode()
    types, tedges = by_type_text(text)
    check('--by-type -T txt: exit 0, tables printed', q.returncode == 0 and types, text[:300])
    check('--by-type text: the picture\'s types and counts',
          {k: v[0] for k, v in types.items()} == want_types, (types, want_types))
    check('--by-type text: the picture\'s type-to-type references',
          tedges == want_edges, (tedges, want_edges))
    # Independently: the plain picture (one cluster, so no edge is left out)
    # grouped by type here.
    plain = os.path.join(tmp, 'plain1.dot')
    run(exe, ['render', '--top', '1', '-o', plain, dump])
    pn, pe, _, _ = read_dot(plain)
    count, pairs, garbage = {}, {}, {}
    for n in pn.values():
        if not is_stub(n):
            t = n['label'].split('\\n')[0]
            count[t] = count.get(t, 0) + 1
            garbage[t] = garbage.get(t, 0) + (n.get('fillcolor') == '#f6c9c4')
    for t, h, e in pe:
        if not is_stub(t) and not is_stub(h):
            k = (t['label'].split('\\n')[0], h['label'].split('\\n')[0])
            pairs[k] = pairs.get(k, 0) + 1
    check('--by-type text: objects per type as drawn',
          types == {k: (count[k], garbage[k]) for k in count}, (types, count, garbage))
    check('--by-type text: references per pair of types as drawn', tedges == pairs,
          (tedges, pairs))
    # Without -o the text is the default, and --by-type applies to it too.
    r = run(exe, ['render', '--top', '1', '--by-type', dump])
    check('--by-type without -o: the same text', r.returncode == 0 and r.stdout == q.stdout)


def test_combinations(exe, dump, tmp):
    """Every pair of render's options, in each output format, either works
    (exit 0, output written) or is refused (exit 2 and a message)."""
    scan = json.loads(run(exe, ['scan', '--json', dump]).stdout)
    obj = scan['sccs'][0]['cycle'][0]['address']
    sig = [g for g in scan['groups'] if g['garbage']][0]['signature']
    combo = os.path.join(tmp, 'combo')

    def status(args):
        if os.path.exists(combo):
            os.unlink(combo)
        p = run(exe, ['render'] + args + ['-o', combo, dump])
        err = p.stderr.decode()
        ok = (p.returncode == 2 and err.startswith('cycletool: ') or
              p.returncode == 0 and os.path.exists(combo) and os.path.getsize(combo) > 0)
        if not ok:
            check('render %s: works or exit 2' % ' '.join(args), False, (p.returncode, err))
        return p.returncode

    refuse = [['--depth', '1', '-T', 'txt'], ['--top', '2', '--scc', '1', '-T', 'dot'],
              ['--garbage', '--object', obj, '-T', 'svg'], ['--object', obj, '--path', '-T', 'dot'],
              ['--layout', 'dot', '-T', 'txt'], ['--garbage', '--alive', '-T', 'txt'],
              ['--scc', '1', '--object', obj, '-T', 'txt'], ['--backrefs', '-T', 'svg'],
              ['--top', '1', '--signature', sig, '-T', 'txt']]
    accept = [['--by-type', '-T', 'txt'], ['--by-type', '--object', obj, '-T', 'txt'],
              ['--layout', 'dot', '-T', 'dot'], ['--by-type', '--path', '-T', 'svg'],
              ['--garbage', '--signature', sig, '-T', 'dot'],
              ['--object', obj, '--depth', '1', '--backrefs', '--by-type', '-T', 'txt']]
    for args in refuse:
        check('refused: %s' % ' '.join(args), status(args) == 2)
    for args in accept:
        check('accepted: %s' % ' '.join(args), status(args) == 0)
    if os.environ.get('CT_WRAPPER'):
        print('skip every pair of options: under', os.environ['CT_WRAPPER'])
        return
    opts = [[], ['--by-type'], ['--layout', 'dot'], ['--layout', 'sfdp'], ['--max-nodes', '5'],
            ['--top', '2'], ['--garbage'], ['--alive'], ['--scc', '1'], ['--signature', sig],
            ['--object', obj], ['--depth', '1'], ['--backrefs'], ['--path']]
    n = 0
    for i, a in enumerate(opts):
        for b in opts[i:]:
            for o in (['-T', 'txt'], ['-T', 'dot'], ['-T', 'svg']):
                status(a + b + o)
                n += 1
    print('tried %d pairs of options in three formats' % n)


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
            test_by_type_text(exe, dump, tmp)
        dump = os.path.join(data, 'pool.jsonl')
        test_formats(exe, dump, tmp)
        test_errors(exe, dump, tmp)
        test_combinations(exe, dump, tmp)
        test_engine(exe, data, tmp)
        test_progress(exe, tmp)
    print('%d failure(s)' % len(failures) if failures else 'all render tests passed')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())

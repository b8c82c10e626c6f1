#!/usr/bin/env python3
"""Allocation sites (issue 13, part 4): testdata/python/alloc_sites.py
allocates at lines marked "site: NAME" and dumps three times while
tracemalloc traces; scan, top, path and diff --by-site must name exactly
those file:line sites, in text and JSON.  Also: a dump without tracemalloc
has no sites, version 1 and meliae dumps load as before, an unknown
version and broken site records are refused with a message.

usage: test_alloc_sites.py CYCLETOOL SOURCE_ROOT
The binary is run as "$CT_WRAPPER CYCLETOOL ..." when CT_WRAPPER is set.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ctcheck  # noqa: E402
from ctcheck import check, run, strict  # noqa: E402


def marked_lines(path):
    """{name: line number} of the '# site: name' comments."""
    out = {}
    with open(path, encoding='utf-8') as f:
        for i, line in enumerate(f, 1):
            m = re.search(r'# site: ([\w-]+)', line)
            if m:
                out[m.group(1)] = i
    return out


def read_dump(path):
    """(header, {address: record}, {site number: 'file:line'})."""
    objs, sites, header = {}, {}, None
    with open(path, encoding='utf-8') as f:
        for line in f:
            rec = json.loads(line)
            if 'cycletool_dump' in rec:
                header = rec
            elif 'cycletool_site' in rec:
                check('site %d numbered in order' % rec['cycletool_site'],
                      rec['cycletool_site'] == len(sites), rec)
                sites[rec['cycletool_site']] = '%s:%d' % (rec['file'], rec['line'])
            elif 'address' in rec:
                objs[rec['address']] = rec
    return header, objs, sites


def site_of(objs, sites, addr):
    rec = objs.get(addr)
    return sites[rec['site']] if rec is not None and 'site' in rec else None


def hexid(addr):
    return '0x%x' % addr


def main():
    ctcheck.EXE = sys.argv[1]
    root = os.path.abspath(sys.argv[2])
    script = os.path.join(root, 'testdata', 'python', 'alloc_sites.py')
    lines = marked_lines(script)
    at = {k: '%s:%d' % (script, v) for k, v in lines.items()}
    env = dict(os.environ, PYTHONPATH=os.path.join(root, 'formats', 'python'))
    with tempfile.TemporaryDirectory() as tmp:
        p = subprocess.run([sys.executable, script, tmp], env=env, capture_output=True,
                           text=True, timeout=600)
        if not check('alloc_sites.py ran', p.returncode == 0, p.stderr):
            return
        d1, d2, d3 = (os.path.join(tmp, '%d.jsonl' % i) for i in (1, 2, 3))
        header, objs, sites = read_dump(d3)
        check('dump version 3', header.get('cycletool_dump') == 3, header)
        by_type = {}
        for a, rec in objs.items():
            by_type.setdefault(rec['type'], []).append(a)

        # The dump itself: every object of the program's classes has the
        # line that made it.
        for t, name in (('Handler', 'handler'), ('Server', 'server'),
                        ('Registry', 'registry')):
            got = {site_of(objs, sites, a) for a in by_type.get(t, [])}
            check('dump: every %s allocated at line %d' % (t, lines[name]),
                  got == {at[name]}, got)
        got = sorted(site_of(objs, sites, a) for a in by_type.get('Node', []))
        check('dump: Nodes at ring-a and ring-b, 5 each',
              got == sorted([at['ring-a']] * 5 + [at['ring-b']] * 5), got)
        ba = [a for a in by_type['bytearray'] if objs[a]['size'] >= 3000000]
        check('dump: the 3 MB bytearray at blob',
              len(ba) == 1 and site_of(objs, sites, ba[0]) == at['blob'], ba)

        # scan: the garbage rings' group and the Handler group.
        rc, out, err = run(['scan', d3])
        check('scan exits 0', rc == 0, err)
        check('scan text: the rings\' sites',
              ('    sites  Node allocated at %s, Node allocated at %s\n' %
               (at['ring-a'], at['ring-b'])) in out or
              ('    sites  Node allocated at %s, Node allocated at %s\n' %
               (at['ring-b'], at['ring-a'])) in out, out)
        check('scan text: Handler allocated at line %d (8), Server at %d' %
              (lines['handler'], lines['server']),
              'sites  Handler allocated at %s (8), Server allocated at %s' %
              (at['handler'], at['server']) in out, out)
        rc, out, err = run(['scan', '--json', '--members', d3])
        doc = strict(out)
        rings = [s for s in doc['sccs'] if set(s['types']) == {'Node'}]
        check('scan json: 5 garbage rings', len(rings) == 5 and all(s['garbage'] for s in rings),
              [s['types'] for s in rings])
        check('scan json: each ring\'s sites are ring-a and ring-b once',
              all(s['sites'] == {at['ring-a']: 1, at['ring-b']: 1} for s in rings),
              [s['sites'] for s in rings])
        steps = [st for s in doc['sccs'] for st in s['cycle'] + s.get('path', [])]
        bad = [st for st in steps
               if st.get('site') != site_of(objs, sites, int(st['address'], 16))]
        check('scan json: every step\'s "site" is its object\'s (%d steps)' % len(steps),
              steps and not bad, bad[:3])
        for s in doc['sccs']:
            want = {}
            for m in s['members']:
                w = site_of(objs, sites, int(m, 16))
                if w:
                    want[w] = want.get(w, 0) + 1
            if s['sites'] != want:
                check('scan json: SCC %d\'s sites count its members' % s['id'], False,
                      (s['sites'], want))
                break
        else:
            check('scan json: every SCC\'s sites count its members\' sites', True)

        # top: the Registry and its blob.
        rc, out, err = run(['top', '-n', '5', d3])
        check('top text: Registry allocated at line %d' % lines['registry'],
              re.search(r'Registry .*module\(__main__\) \.reg  allocated at ' +
                        re.escape(at['registry']) + r'\n', out), out)
        check('top text: bytearray allocated at line %d' % lines['blob'],
              re.search(r'bytearray .*Registry \.blob  allocated at ' +
                        re.escape(at['blob']) + r'\n', out), out)
        rc, out, err = run(['top', '--json', '-n', '20', d3])
        tops = strict(out)['objects']
        check('top json: every object has "site", its own',
              tops and all('site' in o and o['site'] == site_of(objs, sites, int(o['id'], 16))
                           for o in tops), tops[:3])
        check('top json: the Registry\'s site',
              any(o['type'] == 'Registry' and o['site'] == at['registry'] for o in tops), tops)

        # path: to a Handler, through the Server and its list.
        h = by_type['Handler'][0]
        rc, out, err = run(['path', d3, hexid(h)])
        check('path exits 0', rc == 0, err)
        check('path text: Server allocated at line %d' % lines['server'],
              'Server allocated at %s .handlers' % at['server'] in out, out)
        # The list may come from a free list (then tracemalloc has its
        # first allocation, or nothing): it reads as the dump has it.
        lst = [a for a in by_type['list'] if h in objs[a]['refs']]
        ls = site_of(objs, sites, lst[0]) if len(lst) == 1 else 'no list'
        check('path text: the list as the dump has it (%s)' % ls,
              ('  list allocated at %s [' % ls if ls else '  list [') in out, out)
        check('path text: ends at Handler allocated at line %d' % lines['handler'],
              out.split('\n')[-3].endswith('Handler allocated at ' + at['handler']), out)
        rc, out, err = run(['path', '--json', d3, hexid(h)])
        doc = strict(out)
        check('path json: the target\'s site', doc.get('site') == at['handler'], doc)
        check('path json: every step\'s site is its object\'s',
              doc['path'] and all(s['site'] == site_of(objs, sites, int(s['id'], 16))
                                  for s in doc['path']), doc['path'])

        # diff --by-site: clusters keyed by type and site.
        rc, out, err = run(['diff', '--by-site', d1, d2, d3])
        check('diff --by-site exits 0', rc == 0, err)
        check('diff --by-site text: Handler allocated at line %d' % lines['handler'],
              '\n      Handler allocated at %s\n' % at['handler'] in out, out)
        for name in ('ring-a', 'ring-b'):
            check('diff --by-site text: (garbage) Node allocated at %s' % name,
                  '\n      (garbage) Node allocated at %s\n' % at[name] in out, out)
        rc, out, err = run(['diff', '--by-site', '--json', d1, d2, d3])
        doc = strict(out)
        check('diff json: clustered_by site', doc.get('clustered_by') == 'site', doc.keys())
        cl = {c['signature']: c for c in doc['survivors']}
        c = cl.get('Handler allocated at ' + at['handler'])
        check('diff json: the Handler cluster: 4 roots, site, 4 bytearrays',
              c is not None and c['roots'] == 4 and c['site'] == at['handler'] and
              c['types'] == {'Handler': 4, 'bytearray': 4}, c)
        for name in ('ring-a', 'ring-b'):
            c = cl.get('(garbage) Node allocated at ' + at[name])
            check('diff json: 4 garbage Nodes at %s' % name,
                  c is not None and c['garbage'] and c['count'] == 4 and c['site'] == at[name],
                  c)
        check('diff json: no cluster of the program\'s own types without its site',
              not [s for s in cl if s.split(' ')[0] in ('Handler', 'Node', 'Server') and
                   script not in s], list(cl))
        rc, out, err = run(['diff', '--json', d1, d2, d3])
        doc = strict(out)
        check('diff without --by-site: clustered_by path, no "site"',
              doc.get('clustered_by') == 'path' and
              all('site' not in c for c in doc['survivors']), doc.get('clustered_by'))

        # Without tracemalloc: no site lines, no "site" anywhere.
        plain = os.path.join(tmp, 'plain.jsonl')
        p = subprocess.run([sys.executable,
                            os.path.join(root, 'testdata', 'python', 'leaky_tree.py'), plain],
                           env=env, capture_output=True, text=True, timeout=600)
        check('untraced dump written', p.returncode == 0, p.stderr)
        with open(plain, encoding='utf-8') as f:
            text = f.read()
        check('untraced dump: no site lines or members',
              '"cycletool_site"' not in text and '"site":' not in text)
        rc, out, err = run(['scan', '--json', plain])
        check('untraced dump: scan JSON has no "sites"', rc == 0 and '"sites"' not in out and
              '"site"' not in out, err)
        rc, out, err = run(['diff', '--by-site', plain, plain])
        check('diff --by-site without sites: exit 2 and a message',
              rc == 2 and "has no allocation sites" in err, (rc, err))

        # Old versions, meliae, and what must be refused.
        v1 = os.path.join(root, 'testdata', 'python', 'leaky_tree.jsonl')
        with open(v1, encoding='utf-8') as f:
            check('testdata dump is version 1', json.loads(f.readline())['cycletool_dump'] == 1)
        rc, out, err = run(['scan', '--json', v1])
        check('version 1 dump loads, no sites', rc == 0 and '"sites"' not in out, err)

        def write(name, lines_):
            path = os.path.join(tmp, name)
            with open(path, 'w', encoding='utf-8') as f:
                f.write(''.join(json.dumps(x) + '\n' for x in lines_))
            return path
        a, b = 4096, 8192
        objs2 = [{'address': a, 'type': 'Node', 'size': 48, 'refs': [b], 'refcount': 1},
                 {'address': b, 'type': 'Node', 'size': 48, 'refs': [a], 'refcount': 1}]
        melia = write('meliae.jsonl', [{k: v for k, v in o.items() if k != 'refcount'}
                                      for o in objs2])
        rc, out, err = run(['scan', '--json', melia])
        check('meliae dump loads', rc == 0 and strict(out)['format'] == 'meliae', err)
        # In version 1, "site" members and site-like records mean nothing.
        v1s = write('v1site.jsonl', [{'cycletool_dump': 1}] +
                    [dict(o, site=7) for o in objs2] +
                    [{'cycletool_dump_end': 1, 'objects': 2}])
        rc, out, err = run(['scan', '--json', v1s])
        check('version 1 with a "site" member: loads, ignored',
              rc == 0 and '"sites"' not in out, err)
        site0 = {'cycletool_site': 0, 'file': 'app/server.py', 'line': 41}
        v2 = write('v2.jsonl', [{'cycletool_dump': 2}, site0, dict(objs2[0], site=0), objs2[1],
                                {'cycletool_dump_end': 2, 'objects': 2}])
        rc, out, err = run(['scan', v2])
        check('hand-made version 2: Node allocated at app/server.py:41',
              rc == 0 and 'sites  Node allocated at app/server.py:41\n' in out, (out, err))
        for name, recs, msg in (
                ('v4', [{'cycletool_dump': 4}] + objs2 + [{'cycletool_dump_end': 4, 'objects': 2}],
                 "unsupported dump version 4 (this cycletool reads 1 to 3)"),
                ('idx-2', [{'cycletool_dump': 3}, dict(objs2[0], idx=2), objs2[1],
                           {'cycletool_dump_end': 3, 'objects': 2}],
                 '"idx" must be -1 or 1'),
                ('idx-str', [{'cycletool_dump': 3}, dict(objs2[0], idx="1"), objs2[1],
                             {'cycletool_dump_end': 3, 'objects': 2}],
                 '"idx" must be -1 or 1'),
                ('idx-labels', [{'cycletool_dump': 3}, dict(objs2[0], idx=1, labels=['[0]']),
                                objs2[1], {'cycletool_dump_end': 3, 'objects': 2}],
                 'line 2: object has both "idx" and "labels"'),
                ('order', [{'cycletool_dump': 2}, dict(site0, cycletool_site=1)] + objs2 +
                 [{'cycletool_dump_end': 2, 'objects': 2}],
                 "line 2: site record 1 out of order (expected 0)"),
                ('undefined', [{'cycletool_dump': 2}, dict(objs2[0], site=0), objs2[1],
                               {'cycletool_dump_end': 2, 'objects': 2}],
                 "line 2: \"site\" 0 has no site record before it"),
                ('no-file', [{'cycletool_dump': 2}, {'cycletool_site': 0, 'line': 3}] + objs2 +
                 [{'cycletool_dump_end': 2, 'objects': 2}],
                 "line 2: site record has no \"file\" member")):
            path = write(name + '.jsonl', recs)
            rc, out, err = run(['scan', path])
            check('refused (%s): exit 3, "%s"' % (name, msg), rc == 3 and msg in err, (rc, err))

        # Version 3: "idx" says the labels are the indices, from the last
        # referent (-1) or the first (1); it must load exactly as the
        # same dump with those labels spelled out.
        c, d, e = 12288, 16384, 20480
        idx_objs = [
            {'address': a, 'type': 'tuple', 'size': 64, 'refs': [d, c, b], 'refcount': 1},
            {'address': b, 'type': 'list', 'size': 72, 'refs': [a, c], 'refcount': 2},
            {'address': c, 'type': 'deque', 'size': 80, 'refs': [d, e, a], 'refcount': 2},
            {'address': d, 'type': 'tuple', 'size': 40, 'refs': [], 'refcount': 2},
            {'address': e, 'type': 'Node', 'size': 48, 'refs': [b], 'refcount': 2}]
        idx_of = {a: -1, b: -1, c: 1, d: -1}

        def spelled(o):
            n = len(o['refs'])
            if o['address'] not in idx_of:
                return dict(o, labels=['.next'] * n)
            order = range(n) if idx_of[o['address']] > 0 else range(n - 1, -1, -1)
            return dict(o, labels=['[%d]' % i for i in order])

        def implied(o):
            if o['address'] not in idx_of:
                return dict(o, labels=['.next'] * len(o['refs']))
            return dict(o, idx=idx_of[o['address']])
        outs = {}
        for ver, fn in ((2, spelled), (3, implied)):
            path = write('idx-v%d.jsonl' % ver, [{'cycletool_dump': ver}] +
                         [fn(o) for o in idx_objs] +
                         [{'cycletool_dump_end': ver, 'objects': len(idx_objs)}])
            outs[ver] = [(rc_, out_.replace(path, 'DUMP'), err_.replace(path, 'DUMP'))
                         for rc_, out_, err_ in
                         (run(args) for args in
                          (['scan', '--json', path],
                           ['export', '--format', 'edgelist', '--all', path],
                           ['path', '--json', path, hexid(d)], ['export', '--root', hexid(a), path]))]
        for i, (o2, o3) in enumerate(zip(outs[2], outs[3])):
            check('version 3 "idx" loads as spelled-out labels (output %d)' % i,
                  o2[0] == 0 and o2 == o3, (o2, o3))
        check('version 3 "idx": path e .next b [1] a [2] d',
              [s_.get('label') for s_ in strict(outs[3][2][1])['path']] ==
              ['.next', '[1]', '[2]', None], outs[3][2])


if __name__ == '__main__':
    main()
    sys.exit(ctcheck.finish())

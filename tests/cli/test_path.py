#!/usr/bin/env python3
"""CLI tests of `cycletool path` on real dumps: the route starts at a
user-level root when one reaches the object, `--any-root` gives the true
shortest, and both name the kind of root (cycletool(1), PATH ROOTS).

usage: test_path.py CYCLETOOL SOURCE_ROOT
The binary is run as "$CT_WRAPPER CYCLETOOL ..." when CT_WRAPPER is set.

The dumps are made here from the bundled scripts:
  testdata/v8/service.js       (node --expose-gc; skipped without node):
      500 Handler objects in the global array `handlers`
  testdata/python/service.py   (python3 -m cycletool_dump):
      500 Handler objects in the module-level list REGISTRY
Routes are checked against the dumps themselves, read here with json.
JSON output is parsed strictly (cli/test_strict_json.py).
"""
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_strict_json import Strict, strict_loads  # noqa: E402

ARROW = ' \u2192 '
failures = []
EXE = ROOT = None


def run(args):
    wrapper = shlex.split(os.environ.get('CT_WRAPPER', ''))
    p = subprocess.run(wrapper + [EXE] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=600)
    return p.returncode, p.stdout, p.stderr.decode('utf-8', 'replace')


def check(name, ok, detail=''):
    if ok:
        print(f'ok   {name}')
    else:
        failures.append(name)
        print(f'FAIL {name}' + (f': {detail!r}' if detail != '' else ''))
    return ok


def path_json(args, want_rc=0):
    rc, out, err = run(['path', '--json'] + args)
    if not check(f'path --json {" ".join(args)}: status {want_rc}', rc == want_rc and err == '',
                 (rc, err)):
        return None
    try:
        return strict_loads(out)
    except Strict as e:
        check(f'path --json {" ".join(args)}: strict JSON', False, str(e))
        return None


def path_text(args, want_rc=0):
    rc, out, err = run(['path'] + args)
    check(f'path {" ".join(args)}: status {want_rc}', rc == want_rc and err == '', (rc, err))
    return out.decode('utf-8').splitlines()


# ---- V8 ----

def read_v8(f):
    """(nodes, edges of node index, strings) of a snapshot: nodes as dicts
    with type, name, id; edges as (type, name, to_index)."""
    d = json.load(open(f))
    meta = d['snapshot']['meta']
    nf, ef = meta['node_fields'], meta['edge_fields']
    ntypes, etypes = meta['node_types'][0], meta['edge_types'][0]
    S, N, E = d['strings'], d['nodes'], d['edges']
    nodes, out, at = [], [], 0
    for i in range(0, len(N), len(nf)):
        rec = dict(zip(nf, N[i:i + len(nf)]))
        nodes.append({'type': ntypes[rec['type']], 'name': S[rec['name']], 'id': rec['id']})
        es = []
        for k in range(rec['edge_count']):
            t, n, to = E[at:at + len(ef)]
            at += len(ef)
            et = etypes[t]
            es.append((et, n if et in ('element', 'hidden') else S[n], to // len(nf)))
        out.append(es)
    return nodes, out


def test_v8(tmp):
    if not shutil.which('node'):
        print('skip v8: no node on PATH (testdata/v8/service.js needs it)')
        return
    snap = os.path.join(tmp, 'service.heapsnapshot')
    subprocess.run(['node', '--expose-gc', os.path.join(ROOT, 'testdata', 'v8', 'service.js'),
                    snap], check=True, timeout=300)
    nodes, edges = read_v8(snap)
    by_id = {n['id']: i for i, n in enumerate(nodes)}
    handlers = [i for i, n in enumerate(nodes) if n['type'] == 'object' and n['name'] == 'Handler']
    check('v8: the script made 500 Handler objects', len(handlers) == 500, len(handlers))
    globals_ = [to for (t, _, to) in edges[0] if nodes[to]['type'] != 'synthetic']
    for h in handlers[:3] + handlers[-2:]:
        hid = '@%d' % nodes[h]['id']
        p = path_json([snap, hid])
        if not p:
            continue
        steps = p['path']
        check(f'v8 {hid}: from the global object', p['any_root'] is False and
              p['root'] == {'kind': 'global', 'id': steps[0]['id'], 'user_level': True,
                            'text': 'the global object ' + steps[0]['id']} and
              by_id[int(steps[0]['id'][1:])] in globals_, p['root'])
        check(f'v8 {hid}: global .handlers -> Array [i] -> Handler', len(steps) == 3 and
              steps[0]['label'] == '.handlers' and steps[1]['type'] == 'Array' and
              steps[1]['label'].startswith('[') and steps[2]['id'] == hid and
              'label' not in steps[2], steps)
        if len(steps) == 3:
            g, a = by_id[int(steps[0]['id'][1:])], by_id[int(steps[1]['id'][1:])]
            i = int(steps[1]['label'][1:-1])
            check(f'v8 {hid}: the snapshot has those references',
                  ('property', 'handlers', a) in edges[g] and ('element', i, h) in edges[a])
        lines = path_text([snap, hid])
        check(f'v8 {hid}: text', lines and lines[0].startswith('global .handlers' + ARROW + 'Array [')
              and lines[0].endswith(ARROW + 'Handler') and
              lines[-1] == f'from the global object {steps[0]["id"]} (a user-level root)', lines)
        q = path_json(['--any-root', snap, hid])
        if q:
            check(f'v8 {hid} --any-root: from the synthetic root, no longer than the preferred',
                  q['any_root'] is True and q['path'][0]['id'] == '@%d' % nodes[0]['id'] and
                  q['path'][-1]['id'] == hid and len(q['path']) <= len(steps) + 1 and
                  q['root']['kind'] in ('global', 'gc-roots', 'synthetic'), q)

    # The (Stack roots) entry: no user-level root reaches it; the shortest
    # route from the snapshot's root says so.
    gc = [to for (_, _, to) in edges[0] if nodes[to]['name'] == '(GC roots)']
    stack = [to for (_, _, to) in edges[gc[0]] if nodes[to]['name'] == '(Stack roots)'] if gc else []
    if check('v8: (GC roots) -> (Stack roots) in the snapshot', len(stack) == 1):
        sid = '@%d' % nodes[stack[0]]['id']
        p = path_json([snap, sid])
        if p:
            check('v8 (Stack roots): a stack root, not user-level',
                  p['root'] == {'kind': 'gc-roots', 'id': sid, 'user_level': False,
                                'text': 'a stack root (GC roots \u2192 Stack roots) ' + sid} and
                  [s['id'] for s in p['path']] ==
                  ['@%d' % nodes[0]['id'], '@%d' % nodes[gc[0]]['id'], sid], p)
        lines = path_text([snap, sid])
        check('v8 (Stack roots): text says the fallback', lines and lines[-1] ==
              f'from a stack root (GC roots \u2192 Stack roots) {sid}; '
              'no user-level root reaches it', lines[-1:])


# ---- Python ----

def test_python(tmp):
    dump = os.path.join(tmp, 'service.jsonl')
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, 'formats', 'python'))
    subprocess.run([sys.executable, '-m', 'cycletool_dump', '-o', dump, '--',
                    os.path.join(ROOT, 'testdata', 'python', 'service.py')],
                   check=True, env=env, timeout=300, cwd=tmp)
    objs = {}
    for line in open(dump):
        o = json.loads(line)
        if 'address' in o:
            objs[o['address']] = o
    handlers = [a for a, o in objs.items() if o['type'] == 'Handler']
    jobs = [a for a, o in objs.items() if o['type'] == 'Job']
    main = [a for a, o in objs.items() if o['type'] == 'module' and o.get('name') == '__main__']
    check('python: 500 Handlers, 25 Jobs, one __main__', len(handlers) == 500 and
          len(jobs) == 25 and len(main) == 1, (len(handlers), len(jobs), len(main)))
    for h in handlers[:3] + handlers[-2:]:
        hid = hex(h)
        p = path_json([dump, hid])
        if not p:
            continue
        steps = p['path']
        check(f'python {hid}: from module __main__', main and p['any_root'] is False and
              p['root'] == {'kind': 'module', 'id': hex(main[0]), 'user_level': True,
                            'text': 'module __main__ ' + hex(main[0])}, p['root'])
        check(f'python {hid}: module .__dict__ -> dict [REGISTRY] -> list [i] -> Handler',
              [s['type'] for s in steps] == ['module', 'dict', 'list', 'Handler'] and
              steps[2]['label'].startswith('[') and 'label' not in steps[3] and
              steps[0]['label'] == '.__dict__' and steps[1]['label'] == "['REGISTRY']" and
              steps[0]['id'] == hex(main[0]) and steps[3]['id'] == hid, steps)
        if len(steps) == 4:
            lst, label = objs[int(steps[2]['id'], 16)], steps[2]['label']
            n = len(lst['refs'])     # version 3: "idx" -1 is [n-1]..[0]
            labels = (['[%d]' % i for i in range(n - 1, -1, -1)] if lst.get('idx') == -1
                      else lst.get('labels', []))
            check(f'python {hid}: the list holds it at {label}',
                  (label, h) in zip(labels, lst['refs']))
        lines = path_text([dump, hid])
        check(f'python {hid}: text', lines and
              lines[0] == ARROW.join(['module(__main__) .__dict__', "dict ['REGISTRY']",
                                      f'list {steps[2]["label"]}', 'Handler']) and
              lines[-1] == f'from module __main__ {hex(main[0])} (a user-level root)', lines)
        q = path_json(['--any-root', dump, hid])
        if q:
            first = objs[int(q['path'][0]['id'], 16)]
            check(f'python {hid} --any-root: the true shortest, from an externally '
                  'referenced object', q['any_root'] is True and q['root']['kind'] == 'refcount'
                  and q['root']['user_level'] is False and
                  q['root']['text'] == f'{q["path"][0]["id"]}, externally referenced '
                  f'(refcount {first["refcount"]})' and len(q['path']) <= len(steps) + 1 and
                  q['path'][-1]['id'] == hid, q)
    # Garbage: no route, no root.
    p = path_json([dump, hex(jobs[0])], want_rc=1) if jobs else None
    if p:
        check('python garbage Job: unreachable, root null', p['reachable'] is False and
              p['garbage'] is True and p['root'] is None and p['path'] == [], p)


def test_usage():
    rc, out, err = run(['path', '--help'])
    text = out.decode('utf-8')
    check('path --help names --any-root and user-level roots', rc == 0 and '--any-root' in text
          and 'user-level root' in text, text)


def main():
    global EXE, ROOT
    EXE, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    tmp = tempfile.mkdtemp(prefix='ct-path-')
    try:
        test_usage()
        test_python(tmp)
        test_v8(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        print(f'{len(failures)} check(s) failed')
        return 1
    print('all checks passed')
    return 0


if __name__ == '__main__':
    sys.exit(main())

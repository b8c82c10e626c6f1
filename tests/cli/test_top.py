#!/usr/bin/env python3
"""CLI tests of `cycletool top` and `cycletool path`.

usage: test_top.py CYCLETOOL SOURCE_ROOT
The binary is run as "$CT_WRAPPER CYCLETOOL ..." when CT_WRAPPER is set.

tests/cli/retain.jsonl has known dominators and retained sizes:
  module 0x100 (100 B, root) .cache -> dict 0x200 (1000 B)
      dict 0x200 ['a'] -> list 0x210 (10 B) [0] -> Foo 0x230 (5000 B)
      dict 0x200 ['b'] -> list 0x220 (20 B) [0] -> Foo 0x230
  module 0x100 .cfg -> dict 0x300 (300 B), itself a root -> str 0x500 (50 B)
  Bar 0x400 (7 B) refers to itself only: garbage
"""
import json
import os
import shlex
import shutil
import subprocess
import tempfile
import sys

failures = []

RETAIN = {  # id: (self_size, retained, retained_objects, dominator)
    '0x100': (100, 6130, 5, None),
    '0x200': (1000, 6030, 4, '0x100'),
    '0x230': (5000, 5000, 1, '0x200'),
    '0x300': (300, 350, 2, None),
    '0x500': (50, 50, 1, '0x300'),
    '0x220': (20, 20, 1, '0x200'),
    '0x210': (10, 10, 1, '0x200'),
}


# What holds each (lib/top.h): 0x230's dominator 0x200 refers to it only
# through the lists, so the first referrer in dump order, list 0x210, is
# taken; 0x300 is a root (its dominator is the super-root) and its
# referrer is the module; 0x100 has no referrer.
HELD = {  # id: (held_by, holder, held_by_labels)
    '0x100': (None, None, []),
    '0x200': ('module(app) .cache', '0x100', ['.cache']),
    '0x230': ("module(app) .cache['a'][0]", '0x100', ['.cache', "['a']", '[0]']),
    '0x300': ('module(app) .cfg', '0x100', ['.cfg']),
    '0x500': ("module(app) .cfg['k']", '0x100', ['.cfg', "['k']"]),
    '0x220': ("module(app) .cache['b']", '0x100', ['.cache', "['b']"]),
    '0x210': ("module(app) .cache['a']", '0x100', ['.cache', "['a']"]),
}


def run(args, stdout=subprocess.PIPE):
    wrapper = shlex.split(os.environ.get('CT_WRAPPER', ''))
    p = subprocess.run(wrapper + [EXE] + args, stdout=stdout, stderr=subprocess.PIPE,
                       timeout=600)
    out = p.stdout.decode('utf-8') if p.stdout is not None else ''
    return p.returncode, out, p.stderr.decode('utf-8', 'replace')


def check(name, ok, detail=''):
    if ok:
        print(f'ok   {name}')
    else:
        failures.append(name)
        print(f'FAIL {name} {detail}')
    return ok


def run_json(args, want_rc=0):
    rc, out, err = run(args)
    if not check(f'{" ".join(args)}: status {want_rc}', rc == want_rc,
                 f'status {rc}, stderr {err!r}'):
        return None
    try:
        return json.loads(out)
    except ValueError as e:
        check(f'{" ".join(args)}: parses', False, f'{e}: {out[:300]!r}')
        return None


def test_top_known():
    doc = run_json(['top', '--json', RET])
    if not doc:
        return
    check('top json: fields', {'file', 'format', 'summary', 'objects'} <= set(doc), sorted(doc))
    sm = doc['summary']
    check('top json: summary', sm.get('objects') == 8 and sm.get('roots') == 2 and
          sm.get('reachable_objects') == 7 and sm.get('reachable_bytes') == 6480, sm)
    got = {o['id']: (o['self_size'], o['retained'], o['retained_objects'], o['dominator'])
           for o in doc['objects']}
    check('top json: retained sizes and dominators', got == RETAIN, got)
    check('top json: largest first', [o['id'] for o in doc['objects']] ==
          ['0x100', '0x200', '0x230', '0x300', '0x500', '0x220', '0x210'],
          [o['id'] for o in doc['objects']])
    check('top json: garbage not listed', '0x400' not in got)
    o = doc['objects'][0]
    check('top json: entry fields', set(o) == {'id', 'type', 'name', 'self_size', 'retained',
                                               'retained_objects', 'dominator', 'held_by',
                                               'holder', 'held_by_labels'} and
          o['type'] == 'module' and o['name'] == 'app', o)
    check('top json: name null without one', doc['objects'][1]['name'] is None)
    held = {o['id']: (o.get('held_by'), o.get('holder'), o.get('held_by_labels')) for o in doc['objects']}
    check('top json: what holds each object', held == HELD, held)

    doc = run_json(['top', '--json', '-n', '2', RET])
    if doc:
        check('top -n 2', [o['id'] for o in doc['objects']] == ['0x100', '0x200'], doc)
    doc = run_json(['top', '--json', '--top=100', RET])
    if doc:
        check('top --top=100: all reachable', len(doc['objects']) == 7, len(doc['objects']))

    rc, out, err = run(['top', RET])
    lines = out.splitlines()
    check('top text: status 0, no stderr', rc == 0 and err == '', (rc, err))
    check('top text: summary line', lines and lines[0].startswith(RET + ': 8 objects, 7 '
                                                                  'reachable from 2 roots'),
          lines[:1])
    header = [line for line in lines if line.startswith('ID')]
    check('top text: header', header and header[0].split() ==
          ['ID', 'TYPE', 'SELF', 'RETAINED', 'OBJECTS', 'NAME', '/', 'HELD', 'BY'], header)
    rows = lines[lines.index(header[0]) + 1:] if header else []
    check('top text: one row per object', len(rows) == 7, rows)
    check('top text: first row', rows and rows[0].split() ==
          ['0x100', 'module', '100', 'B', '6.0', 'KiB', '5', 'app'], rows[:1])
    check('top text: unnamed rows say what holds them',
          [r.split('  ')[-1] for r in rows] == ['app', 'module(app) .cache',
                                                "module(app) .cache['a'][0]", 'module(app) .cfg',
                                                'hello', "module(app) .cache['b']",
                                                "module(app) .cache['a']"], rows)
    check('top text: columns aligned', len({r.index(' B ') for r in rows if ' B ' in r}) >= 1 and
          len({len(r.split('  ')[0]) for r in rows}) == 1, rows)
    rc, out, _ = run(['top', '--color=always', RET])
    check('top --color=always', rc == 0 and '\033[1m' in out)
    rc, out, _ = run(['top', '--color=never', RET])
    check('top --color=never', rc == 0 and '\033[' not in out)


def test_top_testdata():
    for name in sorted(os.listdir(PYDATA)):
        if not name.endswith('.jsonl'):
            continue
        path = os.path.join(PYDATA, name)
        doc = run_json(['top', '--json', '-n', '1000000', path])
        if not doc:
            continue
        objs = doc['objects']
        sm = doc['summary']
        check(f'top {name}: every reachable object listed',
              len(objs) == sm['reachable_objects'] > 0, (len(objs), sm))
        check(f'top {name}: ids are addresses', all(
            isinstance(o['id'], str) and o['id'].startswith('0x') for o in objs))
        check(f'top {name}: sorted by retained', [o['retained'] for o in objs] ==
              sorted((o['retained'] for o in objs), reverse=True))
        by_id = {o['id']: o for o in objs}
        # Each object's retained size is its own plus its dominator-tree children's.
        kids = {}
        for o in objs:
            if o['dominator'] is not None:
                kids.setdefault(o['dominator'], []).append(o)
        ok = all(o['retained'] == o['self_size'] + sum(k['retained'] for k in kids.get(i, []))
                 and o['retained_objects'] == 1 + sum(k['retained_objects']
                                                      for k in kids.get(i, []))
                 for i, o in by_id.items())
        check(f'top {name}: retained = self + dominated', ok)
        tops = [o for o in objs if o['dominator'] is None]
        check(f'top {name}: tree roots sum to the reachable bytes',
              sum(o['retained'] for o in tops) == sm['reachable_bytes'] and
              all(o['dominator'] is None or o['dominator'] in by_id for o in objs))
        # The path to the largest retainer is a real chain of references.
        best = objs[0]['id']
        p = run_json(['path', '--json', path, best])
        if p:
            check(f'path {name} {best}: reachable, ends at it', p['reachable'] and
                  p['path'] and p['path'][-1]['id'] == best and p['id'] == best, p)
            check(f'path {name} {best}: labels on every step but the last',
                  all('label' in s for s in p['path'][:-1]) and 'label' not in p['path'][-1])
        # Default: 20 objects.
        doc = run_json(['top', '--json', path])
        if doc:
            check(f'top {name}: 20 by default', len(doc['objects']) == min(20, len(objs)))


def test_v8():
    tiny = os.path.join(ROOT, 'testdata', 'v8', 'tiny.heapsnapshot')
    if not os.path.exists(tiny):
        print('skip v8 (no testdata/v8/tiny.heapsnapshot)')
        return
    doc = run_json(['top', '--json', tiny])
    if doc:
        objs = doc['objects']
        check('top v8: ids are node ids ("@123", as in text)', objs and
              all(isinstance(o['id'], str) and o['id'].startswith('@') and
                  o['id'][1:].isdigit() for o in objs), objs)
        check('top v8: no synthetic nodes listed', all(
            int(o['id'][1:]) > 3 and o['type'] not in ('(synthetic)', '(system)', '(array)',
                                              '(compiled code)') for o in objs), objs)
        check('top v8: sorted', [o['retained'] for o in objs] ==
              sorted((o['retained'] for o in objs), reverse=True))
    p = run_json(['path', '--json', '--any-root', tiny, objs[0]['id']]) if doc and objs else None
    if p:
        check('path --any-root v8: from the synthetic root', p['reachable'] and p['path'][0]['id'] == '@1' and
              p['path'][-1]['id'] == objs[0]['id'], p)


def v8_rows(path, n):
    """top -n n on path: (JSON objects, text rows)."""
    doc = run_json(['top', '--json', '-n', str(n), path])
    rc, out, _ = run(['top', '-n', str(n), path])
    lines = out.splitlines()
    head = [i for i, line in enumerate(lines) if line.startswith('ID')]
    return (doc['objects'] if doc else None), (lines[head[0] + 1:] if head else [])


def test_v8_rows_and_holders():
    """top -n N prints N rows on V8 (folding used to leave 25 of 50 on
    cycles.heapsnapshot); every row says what holds it."""
    with tempfile.TemporaryDirectory() as tmp:
        snap = os.path.join(ROOT, 'testdata', 'v8', 'cycles.heapsnapshot.gz')  # gzip'd as it is
        for n in (1, 10, 30, 50, 100):
            objs, rows = v8_rows(snap, n)
            if objs is None:
                continue
            check(f'top v8 -n {n}: exactly {n} rows (json and text)',
                  len(objs) == n and len(rows) == n, (len(objs), len(rows)))
            # Folding holds among what is listed: a listed dominator says
            # at least 500,000 bytes more than its listed children.
            kids = {}
            for o in objs:
                kids[o['dominator']] = kids.get(o['dominator'], 0) + o['retained']
            check(f'top v8 -n {n}: folded dominators are not listed',
                  all(o['id'] not in kids or o['retained'] - kids[o['id']] >= 500000
                      for o in objs), objs)
            check(f'top v8 -n {n}: every row names what holds it',
                  all(isinstance(o['held_by'], str) and o['held_by'] and
                      o['holder'] and len(o['held_by_labels']) >= 1 for o in objs), objs)
        objs, _ = v8_rows(snap, 50)
        names = {o['held_by'] for o in objs or []}
        check('top v8: a global is named bare, a closure by its function',
              'console' in names and '(closure)(BuiltinModule) .map' in names, names)

        # service.js: the handlers Array and the sessions Map, held by globals.
        node = shutil.which(os.environ.get('NODE', 'node'))
        if not node:
            print('skip top v8 service.js: no node')
            return
        snap = os.path.join(tmp, 'service.heapsnapshot')
        p = subprocess.run([node, '--expose-gc', os.path.join(ROOT, 'testdata', 'v8',
                                                              'service.js'), snap],
                           capture_output=True, timeout=300)
        if not check('node service.js writes a snapshot', p.returncode == 0 and
                     os.path.exists(snap), p.stderr[-500:]):
            return
        objs, rows = v8_rows(snap, 50)
        if objs is None:
            return
        by = {o['held_by']: o for o in objs}
        h, m = by.get('handlers'), by.get('sessions')
        check('top service.js: the handlers Array is named', h and h['type'] == 'Array' and
              h['retained_objects'] >= 1500 and h['held_by_labels'] == ['.handlers'], h)
        check('top service.js: the sessions Map is named', m and m['type'] == 'Map' and
              m['retained_objects'] >= 80 and m['held_by_labels'] == ['.sessions'], m)
        check('top service.js: the holder is the global object',
              h and m and h['holder'] == m['holder'], (h, m))
        check('top service.js: text rows say so',
              any(r.split()[1] == 'Array' and r.endswith('  handlers') for r in rows) and
              any(r.split()[1] == 'Map' and r.endswith('  sessions') for r in rows), rows)


def test_path():
    rc, out, err = run(['path', RET, '0x230'])
    lines = out.splitlines()
    check('path text: status 0', rc == 0 and err == '', (rc, err))
    check('path text: chain', lines and lines[0] ==
          "module(app) .cache \u2192 dict ['a'] \u2192 list [0] \u2192 Foo", lines[:1])
    check('path text: one line per step', len(lines) == 6 and
          [line.split()[0] for line in lines[1:5]] == ['0x100', '0x200', '0x210', '0x230'], lines)
    check('path text: says what the root is', lines and
          lines[-1] == 'from module app 0x100 (a user-level root)', lines[-1:])
    p = run_json(['path', '--json', RET, '560'])      # decimal 560 = 0x230
    if p:
        check('path json: decimal id', p['id'] == '0x230' and p['reachable'] is True and
              p['garbage'] is False, p)
        check('path json: steps', [(s['id'], s.get('label')) for s in p['path']] ==
              [('0x100', '.cache'), ('0x200', "['a']"), ('0x210', '[0]'), ('0x230', None)],
              p['path'])
    p = run_json(['path', '--json', RET, '0x100'])
    if p:
        check('path json: a root is its own path', [s['id'] for s in p['path']] == ['0x100'])
    # Unreachable: status 1, said on stdout.
    rc, out, err = run(['path', RET, '0x400'])
    check('path unreachable: status 1', rc == 1, (rc, err))
    check('path unreachable: says garbage', 'not reachable' in out and 'garbage' in out, out)
    p = run_json(['path', '--json', RET, '0x400'], want_rc=1)
    if p:
        check('path json unreachable', p['reachable'] is False and p['garbage'] is True and
              p['path'] == [], p)
    # Not in the dump: status 3, one line on stderr.
    rc, out, err = run(['path', RET, '0x999'])
    check('path unknown id: status 3', rc == 3 and out == '' and
          err == f"cycletool: no object 0x999 in '{RET}'\n", (rc, out, err))


def test_usage():
    for args in (['top'], ['top', '-n', '0', RET], ['top', '-n', 'x', RET], ['top', '-n'],
                 ['top', '--color=bad', RET], ['top', RET, RET], ['top', '--bogus', RET],
                 ['top', '-f', 'nope', RET], ['path'], ['path', RET], ['path', RET, 'zz'],
                 ['path', RET, '0x'], ['path', RET, '-5'], ['path', RET, '1', '2'],
                 ['path', '--bogus', RET, '1']):
        rc, out, err = run(args)
        check(f'usage {" ".join(args)}: status 2', rc == 2 and out == '' and
              err.startswith('cycletool: ') and 'Try' in err, (rc, out, err))
    for cmd in ('top', 'path'):
        rc, out, err = run([cmd, '--help'])
        check(f'{cmd} --help', rc == 0 and out.startswith(f'Usage: cycletool {cmd} ') and
              err == '', (rc, err))
    rc, out, _ = run(['--help'])
    check('cycletool --help lists top and path', '  top ' in out and '  path ' in out, out)


def test_bad_input():
    bad = os.path.join(ROOT, 'tests', 'bad', 'missing-brace.jsonl')
    for cmd in (['top'], ['path']):
        extra = ['0x10'] if cmd == ['path'] else []
        rc, out, err = run(cmd + [bad] + extra)
        check(f'{cmd[0]} malformed input: status 3', rc == 3 and out == '' and
              err.startswith("cycletool: cannot parse '"), (rc, err))
        rc, out, err = run(cmd + ['/nonexistent/dump.jsonl'] + extra)
        check(f'{cmd[0]} missing file: status 3', rc == 3 and 'cannot open' in err, (rc, err))
    if os.path.exists('/dev/full'):
        with open('/dev/full', 'wb') as full:
            rc, _, err = run(['top', RET], stdout=full)
        check('top to a full disk: status 4, one message', rc == 4 and
              err.count('\n') == 1 and 'cannot write' in err, (rc, err))
        with open('/dev/full', 'wb') as full:
            rc, _, err = run(['path', '--json', RET, '0x230'], stdout=full)
        check('path to a full disk: status 4', rc == 4 and err.count('\n') == 1, (rc, err))


if __name__ == '__main__':
    EXE = sys.argv[1]
    ROOT = sys.argv[2]
    RET = os.path.join(ROOT, 'tests', 'cli', 'retain.jsonl')
    PYDATA = os.path.join(ROOT, 'testdata', 'python')
    test_top_known()
    test_top_testdata()
    test_v8()
    test_v8_rows_and_holders()
    test_path()
    test_usage()
    test_bad_input()
    print(f'{len(failures)} failure(s)' if failures else 'all passed')
    sys.exit(1 if failures else 0)

#!/usr/bin/env python3
"""The application's cycles come out as their own groups (issue 11).

usage: test_app_cycles.py CYCLETOOL SOURCE_ROOT CASE
  CASE  python        testdata/python/service.jsonl.gz (made by service.py)
        v8            testdata/v8/service.heapsnapshot.gz (made by service.js)
        python-fresh  service.py dumped now by python3 (skipped without it)
        v8-fresh      service.js run now by node (skipped without node)

Each script builds cycles known by construction, held from the program's
globals, where on the whole graph they are all inside the runtime's one
giant component.  Checked on `scan --json --members`:
  - each known cycle is its own component, of exactly the objects the
    script made (types and counts), alive, not the runtime's, all in one
    group of the known signature;
  - the garbage (Python's Job closures) is unchanged: the same components
    as --full-graph gives;
  - the text report leads with the garbage, then the Handler group, and
    its "runtime:" line counts exactly the components JSON flags
    "runtime": true, which `scan --runtime` lists;
  - --full-graph puts every Handler into one component (the giant one).
The binary is run as "$CT_WRAPPER CYCLETOOL ..." when CT_WRAPPER is set.
"""
import collections
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ctcheck  # noqa: E402
from ctcheck import check, run, failures  # noqa: E402







# Per format: class -> (components, their types with counts, signature).
KNOWN = {
    'python': {
        'Handler': (500, {'Handler': 1, 'list': 1, 'method': 1},
                    'Handler .callbacks → list [*] → method .__self__ → Handler'),
        'Session': (40, {'Session': 1, 'Connection': 1},
                    'Connection .session → Session .conn → Connection'),
        'Node': (1, {'Node': 31, 'list': 15},
                 'Node .children → list [*] → Node .parent → Node'),
    },
    'v8': {
        'Handler': (500, {'Handler': 1, '(closure)': 1, 'system / Context': 1},
                    'Handler .callback → (closure) .context → system / Context .handler '
                    '→ Handler'),
        'Session': (40, {'Session': 1, 'Connection': 1},
                    'Connection .session → Session .conn → Connection'),
        'TreeNode': (1, {'TreeNode': 31, 'Array': 15},
                     'Array [*] → TreeNode .parent → TreeNode .children → Array'),
    },
}
GARBAGE = {'python': ('Job', 25, 4), 'v8': None}


def scan_json(path, *extra):
    rc, out, err = run(['scan', '--json', '--members', *extra, path])
    if not check(f'scan --json {" ".join(extra)}: exit 0', rc == 0, err):
        return None
    return json.loads(out)


def test(fmt, path):
    d = scan_json(path)
    full = scan_json(path, '--full-graph')
    if d is None or full is None:
        return
    check('summary says the application graph', d['summary']['graph'] == 'application'
          and d['summary']['runtime_references'] > 0, d['summary'])
    check('--full-graph says so', full['summary']['graph'] == 'full'
          and full['summary']['runtime_references'] == 0, full['summary'])
    groups = {g['group']: g for g in d['groups']}
    for cls, (count, types, sig) in KNOWN[fmt].items():
        found = [s for s in d['sccs'] if cls in s['types']]
        check(f'{cls}: {count} components hold one', len(found) == count, len(found))
        check(f'{cls}: each is exactly {types}',
              all(s['types'] == types for s in found),
              collections.Counter(json.dumps(s['types'], sort_keys=True) for s in found))
        check(f'{cls}: alive, the application\'s',
              all(not s['garbage'] and not s['runtime'] for s in found))
        gids = {s['group'] for s in found}
        check(f'{cls}: one group of its own', len(gids) == 1 and
              groups[min(gids)]['count'] == count if gids else False, gids)
        if sig and found:
            check(f'{cls}: signature', found[0]['signature'] == sig, found[0]['signature'])
        whole = [s for s in full['sccs'] if cls in s['types']]
        if cls == 'Handler':
            check('--full-graph: every Handler in one component',
                  len(whole) == 1 and whole[0]['types'][cls] == 500,
                  [(s['size'], s['types'].get(cls)) for s in whole])
    # Garbage is the same with and without the application's graph.
    gar = sorted(sorted(s['members']) for s in d['sccs'] if s['garbage'])
    check('garbage components equal --full-graph\'s',
          gar == sorted(sorted(s['members']) for s in full['sccs'] if s['garbage']))
    check('"garbage" lists equal', d.get('garbage') == full.get('garbage'))
    if GARBAGE[fmt]:
        cls, count, size = GARBAGE[fmt]
        found = [s for s in d['sccs'] if cls in s['types']]
        check(f'{cls}: {count} garbage components of {size}',
              len(found) == count and all(s['garbage'] and s['size'] == size for s in found))
    # Order: garbage groups, then the application's, then the runtime's.
    rank = [0 if g['garbage'] else 2 if g['runtime'] else 1 for g in d['groups']]
    check('groups: garbage, application, runtime', rank == sorted(rank), rank)
    # The runtime's components: flagged in JSON, counted in the summary.
    rt = [s for s in d['sccs'] if s['runtime']]
    sm = d['summary']
    check('runtime components counted', sm['runtime_sccs'] == len(rt) > 0 and
          sm['runtime_objects'] == sum(s['size'] for s in rt) and
          sm['runtime_bytes'] == sum(s['bytes'] for s in rt), (sm, len(rt)))
    check('runtime components are alive', all(not s['garbage'] for s in rt))
    rc, text, err = run(['scan', path])
    if not check('scan: exit 0', rc == 0, err):
        return
    m = re.search(r'^runtime: (\d+) SCCs? \((\d+) objects, ', text, re.M)
    check('text: the runtime line counts what it folds',
          m is not None and (int(m.group(1)), int(m.group(2))) ==
          (sm['runtime_sccs'], sm['runtime_objects']), m and m.group(0))
    rows = re.findall(r'^\s+\d+\s+(\d+)\s+(garbage|alive|runtime)\s', text, re.M)
    check('text: no runtime rows without --runtime', rows and
          all(state != 'runtime' for _, state in rows), rows[:5])
    first_alive = next((i for i, (_, st) in enumerate(rows) if st == 'alive'), None)
    lead = 'Handler'
    check('text: garbage first, then the Handler group',
          first_alive is not None and all(st == 'garbage' for _, st in rows[:first_alive]) and
          re.search(r'^\s+%d\s+500\s+alive\s.*%s' % (first_alive + 1, lead), text, re.M)
          is not None, text[:1500])
    rc, text, err = run(['scan', '--runtime', path])
    rows = re.findall(r'^\s+\d+\s+(\d+)\s+(garbage|alive|runtime)\s', text, re.M)
    check('--runtime lists every runtime component',
          rc == 0 and sum(int(n) for n, st in rows if st == 'runtime') == sm['runtime_sccs']
          and 'runtime: ' not in text, rows[-3:])
    # --fail-on=cycles judges the application's components.
    rc, _, _ = run(['scan', '--fail-on=cycles', path])
    check('--fail-on=cycles: exit 1 (the application has cycles)', rc == 1, rc)


def unpack(gz, tmp):
    out = os.path.join(tmp, os.path.basename(gz)[:-3])
    with gzip.open(gz, 'rb') as f, open(out, 'wb') as g:
        shutil.copyfileobj(f, g)
    return out


def main():
    ctcheck.EXE, root, case = sys.argv[1], os.path.abspath(sys.argv[2]), sys.argv[3]
    with tempfile.TemporaryDirectory() as tmp:
        if case == 'python':
            test('python', unpack(os.path.join(root, 'testdata/python/service.jsonl.gz'), tmp))
        elif case == 'v8':
            test('v8', unpack(os.path.join(root, 'testdata/v8/service.heapsnapshot.gz'), tmp))
        elif case == 'python-fresh':
            out = os.path.join(tmp, 'service.jsonl')
            env = dict(os.environ, PYTHONPATH=os.path.join(root, 'formats/python'))
            subprocess.run([sys.executable, '-m', 'cycletool_dump', '-o', out, '--',
                            os.path.join(root, 'testdata/python/service.py')],
                           env=env, check=True, cwd=tmp)
            test('python', out)
        elif case == 'v8-fresh':
            node = shutil.which('node')
            if not node:
                print('node not found: skipped')
                sys.exit(77)
            out = os.path.join(tmp, 'service.heapsnapshot')
            subprocess.run([node, '--expose-gc', os.path.join(root, 'testdata/v8/service.js'),
                            out], check=True, cwd=tmp)
            test('v8', out)
        else:
            print('unknown case ' + case, file=sys.stderr)
            sys.exit(2)
    print(f'{len(failures)} check(s) failed' if failures else 'all checks passed')
    sys.exit(1 if failures else 0)


if __name__ == '__main__':
    main()

#!/usr/bin/env python3
"""cycletool diff (issue 12, first slice: the types table).

usage: test_diff.py CYCLETOOL SOURCE_ROOT CASE
  CASE  python  testdata/python/grow.py run now (three dumps)
        v8      testdata/v8/grow.js run now by node (skipped without node)
        bad     usage and input errors
Each script makes known growth per step: Leak +200 (kept), Temp made and
dropped, Cache flat at 3 (and, in Python, one garbage Cycle pair a step).
The binary is run as "$CT_WRAPPER CYCLETOOL ..." when CT_WRAPPER is set.
"""
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile

failures = []


def check(name, cond, detail=''):
    print(('ok   ' if cond else 'FAIL ') + name + ('' if cond else ': ' + str(detail)[:500]))
    if not cond:
        failures.append(name)


def run(args):
    wrapper = shlex.split(os.environ.get('CT_WRAPPER', ''))
    p = subprocess.run(wrapper + [EXE] + args, capture_output=True, timeout=900)
    return p.returncode, p.stdout.decode('utf-8'), p.stderr.decode('utf-8', 'replace')


def strict(text):
    def no_dups(pairs):
        keys = [k for k, _ in pairs]
        if len(keys) != len(set(keys)):
            raise ValueError('duplicate key in %r' % keys)
        return dict(pairs)
    return json.loads(text, object_pairs_hook=no_dups)


def check_growth(dumps, identity, extra):
    rc, out, err = run(['diff', '--json', '-n', '0'] + dumps)
    if not check('diff --json: exit 0', rc == 0, err):
        return
    d = strict(out)
    check('identity ' + identity, d['identity'] == identity, d['identity'])
    check('one entry per dump', [x['file'] for x in d['dumps']] == dumps, d['dumps'])
    types = {t['type']: t for t in d['types']}
    want = {'Leak': ([200, 400, 600], 400, 0, 200, 'growing'),
            'Cache': ([3, 3, 3], 0, 0, 0, 'flat')}
    want.update(extra)
    for name, (counts, new, deleted, surv, trend) in want.items():
        t = types.get(name)
        check(name + ': counts, new, deleted, survivors, trend',
              t is not None and (t['counts'], t['new'], t['deleted'], t['survivors'],
                                 t['trend']) == (counts, new, deleted, surv, trend), t)
    check('Temp: none left', 'Temp' not in types or types['Temp']['counts'] == [0, 0, 0],
          types.get('Temp'))
    check('Leak grew most', d['types'][0]['type'] == 'Leak', d['types'][0]['type'])
    rc, text, err = run(['diff'] + dumps)
    check('text: exit 0, the Leak row first', rc == 0 and
          text.split('\n\n', 1)[1].splitlines()[1].startswith('Leak '), text[:800])
    rc, _, err = run(['diff', '--json', '-n', '0', dumps[0], dumps[-1]])
    check('two dumps: exit 0', rc == 0, err)


def main():
    global EXE
    EXE, root, case = sys.argv[1], os.path.abspath(sys.argv[2]), sys.argv[3]
    with tempfile.TemporaryDirectory() as tmp:
        if case == 'python':
            env = dict(os.environ, PYTHONPATH=os.path.join(root, 'formats/python'))
            subprocess.run([sys.executable, os.path.join(root, 'testdata/python/grow.py'),
                            os.path.join(tmp, 'p')], env=env, check=True)
            dumps = [os.path.join(tmp, 'p-%d.jsonl' % k) for k in range(3)]
            check_growth(dumps, 'address',
                         {'Cycle': ([2, 4, 6], 4, 0, 2, 'growing')})
        elif case == 'v8':
            node = shutil.which('node')
            if not node:
                print('node not found: skipped')
                sys.exit(77)
            subprocess.run([node, '--expose-gc', os.path.join(root, 'testdata/v8/grow.js'),
                            os.path.join(tmp, 's')], check=True, capture_output=True)
            dumps = [os.path.join(tmp, 's-%d.heapsnapshot' % k) for k in range(3)]
            check_growth(dumps, 'exact', {})
        elif case == 'bad':
            pool = os.path.join(root, 'testdata/python/pool.jsonl')
            tiny = os.path.join(root, 'testdata/v8/tiny.heapsnapshot')
            rc, _, err = run(['diff', pool])
            check('one dump: exit 2', rc == 2 and 'two dumps' in err, (rc, err))
            rc, out, err = run(['diff', tiny, pool])
            check('different formats: exit 2, naming the file',
                  rc == 2 and 'pool.jsonl' in err and out == '', (rc, err))
            cut = os.path.join(tmp, 'cut.jsonl')
            with open(pool, 'rb') as f, open(cut, 'wb') as g:
                g.write(f.read()[:5000])
            rc, out, err = run(['diff', pool, cut])
            check('truncated: exit 3, one line naming the file', rc == 3 and out == '' and
                  'cut.jsonl' in err and len(err.strip().splitlines()) == 1, (rc, err))
            rc, out, err = run(['diff', '-n', 'x', pool, pool])
            check('bad --top: exit 2', rc == 2, (rc, err))
        else:
            print('unknown case ' + case, file=sys.stderr)
            sys.exit(2)
    print(f'{len(failures)} check(s) failed' if failures else 'all checks passed')
    sys.exit(1 if failures else 0)


if __name__ == '__main__':
    main()

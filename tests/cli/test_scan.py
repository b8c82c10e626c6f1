#!/usr/bin/env python3
"""CLI tests of `cycletool scan` over tests/cli/cycles.jsonl (and, when
present, the dumps in testdata/python/).

usage: test_scan.py CYCLETOOL CLI_DIR
The binary is run as "$CT_WRAPPER CYCLETOOL ..." when CT_WRAPPER is set.

cycles.jsonl holds four cyclic SCCs:
  dict 0x80 (self-reference)          garbage, 1000 B
  TreeNode 0x10 / list 0x20 / 0x40    garbage,  184 B
  TreeNode 0x50 / list 0x60 / 0x70    alive (0x50 held from outside), 184 B
  Foo 0xd0 <-> Bar 0xd8               alive via module 0xc8, 20 B, finalizer
"""
import glob
import json
import os
import shlex
import subprocess
import sys

failures = []
DUMP = 'cycles.jsonl'
ALL = {'0x80': {'0x80'}, '0x10': {'0x10', '0x20', '0x40'}, '0x50': {'0x50', '0x60', '0x70'},
       '0xd0': {'0xd0', '0xd8'}}
GARBAGE = {'0x10', '0x20', '0x40', '0x80'}
SCC_FIELDS = {'id', 'size', 'bytes', 'garbage', 'finalizers', 'signature'}


def run(args, stdin=None, stdout=subprocess.PIPE):
    wrapper = shlex.split(os.environ.get('CT_WRAPPER', ''))
    p = subprocess.run(wrapper + [EXE] + args, input=stdin, stdout=stdout,
                       stderr=subprocess.PIPE, timeout=600)
    out = p.stdout.decode('utf-8') if p.stdout is not None else ''
    return p.returncode, out, p.stderr.decode('utf-8', 'replace')


def check(name, ok, detail=''):
    if ok:
        print(f'ok   {name}')
    else:
        failures.append(name)
        print(f'FAIL {name} {detail}')
    return ok


def scan_json(args, want_rc=0):
    rc, out, err = run(['scan', '--json'] + args)
    if not check(f'scan --json {" ".join(args)}: status {want_rc}', rc == want_rc,
                 f'status {rc}, stderr {err!r}'):
        return None
    try:
        return json.loads(out)
    except ValueError as e:
        check(f'scan --json {" ".join(args)}: parses', False, f'{e}: {out[:300]!r}')
        return None


def member_sets(doc):
    return {frozenset(s['members']) for s in doc['sccs']}


def test_json():
    doc = scan_json([DUMP])
    if not doc:
        return
    check('json: top-level fields', {'file', 'format', 'summary', 'groups', 'sccs'} <= set(doc),
          sorted(doc))
    check('json: file and format', doc['file'] == DUMP and doc['format'] == 'python',
          (doc['file'], doc['format']))
    check('json: no garbage list without --members', 'garbage' not in doc)
    sccs = doc['sccs']
    check('json: four sccs', len(sccs) == 4, len(sccs))
    for s in sccs:
        check(f'json: scc {s.get("id")} fields', SCC_FIELDS <= set(s), sorted(s))
        check(f'json: scc {s.get("id")} has no members without --members', 'members' not in s)
        check(f'json: scc {s.get("id")} types', isinstance(s['id'], int) and
              isinstance(s['size'], int) and isinstance(s['bytes'], int) and
              isinstance(s['garbage'], bool) and isinstance(s['finalizers'], bool) and
              isinstance(s['signature'], str))
    check('json: ids 1..4 by bytes', [s['id'] for s in sccs] == [1, 2, 3, 4] and
          [s['bytes'] for s in sccs] == sorted((s['bytes'] for s in sccs), reverse=True),
          [(s['id'], s['bytes']) for s in sccs])
    by_sig = {(s['signature'], s['garbage']): s for s in sccs}
    tree = 'TreeNode .children \u2192 list [*] \u2192 TreeNode .parent \u2192 TreeNode'
    check('json: signatures', set(by_sig) == {
        ("dict ['self'] \u2192 dict", True), (tree, True), (tree, False),
        ('Bar .a \u2192 Foo .b \u2192 Bar', False)}, sorted(by_sig))
    foo = by_sig.get(('Bar .a \u2192 Foo .b \u2192 Bar', False))
    check('json: finalizers', foo and foo['finalizers'] and
          not any(s['finalizers'] for s in sccs if s is not foo))
    sm = doc['summary']
    check('json: summary', sm.get('objects') == 12 and sm.get('garbage_objects') == 4 and
          sm.get('cyclic_sccs') == 4 and sm.get('garbage_sccs') == 2, sm)
    check('json: groups', len(doc['groups']) == 4 and
          sum(g['count'] for g in doc['groups']) == 4, doc['groups'])

    doc = scan_json(['--members', DUMP])
    if doc:
        check('json --members: member sets', member_sets(doc) ==
              {frozenset(v) for v in ALL.values()}, member_sets(doc))
        check('json --members: garbage list', set(doc.get('garbage', [])) == GARBAGE,
              doc.get('garbage'))
        check('json --members: sizes match', all(len(s['members']) == s['size']
                                                  for s in doc['sccs']))


def test_ndjson():
    rc, out, err = run(['scan', '--ndjson', '--members', DUMP])
    if not check('ndjson: status 0', rc == 0, err):
        return
    lines = out.splitlines()
    try:
        objs = [json.loads(line) for line in lines]
    except ValueError as e:
        check('ndjson: every line parses', False, str(e))
        return
    check('ndjson: one object per line', len(objs) == 4 and all(isinstance(o, dict) for o in objs)
          and out.endswith('\n'), len(objs))
    doc = scan_json(['--members', DUMP])
    if doc:
        check('ndjson: same sccs as --json', objs == doc['sccs'])
    rc, out, err = run(['scan', '--ndjson', '--garbage', DUMP])
    check('ndjson --garbage', rc == 0 and len(out.splitlines()) == 2 and
          all(json.loads(line)['garbage'] for line in out.splitlines()), out)
    rc, out, err = run(['scan', '--ndjson', '--type=NoSuchType', DUMP])
    check('ndjson with nothing selected prints nothing', rc == 0 and out == '', repr(out))


def test_filters():
    cases = [
        (['--garbage'], [ALL['0x80'], ALL['0x10']]),
        (['--alive'], [ALL['0x50'], ALL['0xd0']]),
        (['--type=Foo'], [ALL['0xd0']]),
        (['--type=list'], [ALL['0x10'], ALL['0x50']]),
        (['--type=str'], []),
        (['--type=NoSuchType'], []),
        (['--min-size=2'], [ALL['0x10'], ALL['0x50'], ALL['0xd0']]),
        (['--min-size=3'], [ALL['0x10'], ALL['0x50']]),
        (['--min-size=4'], []),
        (['--top=1'], [ALL['0x80']]),
        (['--top=2'], [ALL['0x80'], ALL['0x10']]),
        (['--top=100'], list(ALL.values())),
        (['--alive', '--top=1'], [ALL['0x50']]),
        (['--garbage', '--min-size=2'], [ALL['0x10']]),
        (['--type', 'Bar', '--alive'], [ALL['0xd0']]),
    ]
    for args, want in cases:
        doc = scan_json(['--members'] + args + [DUMP])
        if doc:
            check(f'filter {" ".join(args)}', member_sets(doc) == {frozenset(w) for w in want},
                  sorted(map(sorted, member_sets(doc))))
            check(f'filter {" ".join(args)}: summary unfiltered',
                  doc['summary']['cyclic_sccs'] == 4)
        rc, out, err = run(['scan'] + args + [DUMP])
        check(f'text {" ".join(args)}', rc == 0 and out and not err, f'{rc} {err!r}')


def test_fail_on():
    for args, want in [
        (['--fail-on=garbage'], 1),
        (['--fail-on=garbage', '--alive'], 0),
        (['--fail-on=garbage', '--type=Foo'], 0),
        (['--fail-on=cycles'], 1),
        (['--fail-on=cycles', '--alive'], 1),
        (['--fail-on=cycles', '--type=NoSuchType'], 0),
        (['--fail-on=cycles', '--min-size=99'], 0),
        (['--fail-on', 'garbage', '--json'], 1),
        ([], 0),
    ]:
        rc, out, err = run(['scan'] + args + [DUMP])
        check(f'exit status {" ".join(args) or "(plain)"} = {want}', rc == want and out,
              f'status {rc} {err!r}')
    # No cycles at all: --fail-on=cycles passes.
    rc, out, err = run(['scan', '--fail-on=cycles', '-'],
                       stdin=b'{"cycletool_dump": 1}\n'
                             b'{"address": 1, "type": "A", "size": 1, "refs": []}\n'
                             b'{"cycletool_dump_end": 1, "objects": 1}\n')
    check('--fail-on=cycles without cycles = 0', rc == 0, f'{rc} {err!r}')


def test_stdin_and_output():
    with open(DUMP, 'rb') as f:
        data = f.read()
    rc, out, err = run(['scan', '--json', '--members', '-'], stdin=data)
    doc = scan_json(['--members', DUMP])
    if check('stdin: status 0', rc == 0, err) and doc:
        sdoc = json.loads(out)
        check("stdin: named '-'", sdoc['file'] == '-', sdoc['file'])
        sdoc['file'] = doc['file']
        check('stdin: same report as the file', sdoc == doc)
    rc, out, err = run(['scan', DUMP], stdin=data)
    rc2, out2, _ = run(['scan', '-'], stdin=data)
    check('stdin: same text', rc == rc2 == 0 and out.replace(DUMP, '-') == out2)
    # Output errors: a full disk is a failure (status 4) with a message.
    if os.path.exists('/dev/full'):
        for args in (['scan', DUMP], ['scan', '--json', '--members', DUMP],
                     ['scan', '--ndjson', DUMP], ['scan', '--help'], ['--help']):
            with open('/dev/full', 'wb') as full:
                rc, _, err = run(args, stdout=full)
            check(f'/dev/full {" ".join(args)}: status 4 and a message',
                  rc == 4 and err.startswith('cycletool: ') and len(err.splitlines()) == 1,
                  f'status {rc} stderr {err!r}')
    rc, out, err = run(['scan', '--help'])
    check('scan --help to stdout, status 0', rc == 0 and 'Usage' in out and not err)
    rc, out, err = run(['--version'])
    check('--version', rc == 0 and out.startswith('cycletool ') and not err)
    rc, out, err = run(['scan', '--color=always', DUMP])
    check('--color=always colours', rc == 0 and '\033[' in out)
    rc, out, err = run(['scan', '--color=never', DUMP])
    check('--color=never does not', rc == 0 and '\033[' not in out)
    rc, out, err = run(['scan', DUMP])
    check('text to a pipe is not coloured', rc == 0 and '\033[' not in out)


def test_testdata(src):
    dumps = sorted(glob.glob(os.path.join(src, '..', '..', 'testdata', 'python', '*.jsonl')))
    for d in dumps:
        rc, out, err = run(['scan', '--json', '--members', d])
        ok = rc == 0
        if ok:
            try:
                doc = json.loads(out)
                ok = all(SCC_FIELDS | {'members'} <= set(s) for s in doc['sccs'])
            except ValueError:
                ok = False
        check(f'testdata {os.path.basename(d)}: loads, JSON parses', ok, f'{rc} {err!r}')


def main():
    global EXE
    EXE = os.path.abspath(sys.argv[1])
    src = os.path.abspath(sys.argv[2])
    os.chdir(src)
    test_json()
    test_ndjson()
    test_filters()
    test_fail_on()
    test_stdin_and_output()
    test_testdata(src)
    print(f'{len(failures)} failure(s)' if failures else 'all CLI tests passed')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())

#!/usr/bin/env python3
"""Small usage fixes of issue 16: an unknown short option inside a group
("-q3") is named, not the command; object ids and numbers take no white
space (a tab no more than a space) and no second prefix; --depth says its
limit; bad input is exit 3 naming the file and line and leaves no output
file behind.

usage: test_usage_fixes.py CYCLETOOL SOURCE_ROOT
The binary is run as "$CT_WRAPPER CYCLETOOL ..." when CT_WRAPPER is set.
"""
import os
import shlex
import subprocess
import sys
import tempfile

EXE, ROOT = os.path.abspath(sys.argv[1]), sys.argv[2]
DUMP = os.path.join(ROOT, 'tests', 'cli', 'cycles.jsonl')
FAILED = []


def check(ok, what):
    print(('ok   ' if ok else 'FAIL ') + what, flush=True)
    if not ok:
        FAILED.append(what)


def run(args, cwd=None):
    wrapper = shlex.split(os.environ.get('CT_WRAPPER', ''))
    p = subprocess.run(wrapper + [EXE] + args, capture_output=True, timeout=300, cwd=cwd)
    return p.returncode, p.stdout.decode(errors='replace'), p.stderr.decode(errors='replace')


def first_address():
    for line in open(DUMP):
        if '"address"' in line:
            import json
            return json.loads(line)['address']
    raise SystemExit('no object in ' + DUMP)


def main():
    for cmd in ('scan', 'top', 'path', 'render', 'export', 'diff'):
        rc, out, err = run([cmd, '-q3', 'x'])
        check(rc == 2 and err.startswith("cycletool: unknown option '-q'\n"),
              f'{cmd} -q3: exit {rc}, {err!r}')
    rc, out, err = run(['render', '-T'])
    check(rc == 2 and err.startswith("cycletool: option '-T' needs a value"), f'render -T: {err!r}')
    rc, out, err = run(['scan', '--nope', 'x'])
    check(rc == 2 and err.startswith("cycletool: unknown option '--nope'"), f'scan --nope: {err!r}')

    a = '0x%x' % first_address()
    for bad in ('\t' + a, ' ' + a, a + '\t', a + ' ', '0x' + a, '0x0x', '@' + a):
        for args in (['path', DUMP, bad], ['export', '--root', bad, DUMP],
                     ['render', '-T', 'txt', '--object', bad, DUMP]):
            rc, out, err = run(args)
            check(rc == 2 and ('needs an object id' in err or 'must be an object id' in err),
                  f'{args[0]} id {bad!r}: exit {rc}, {err.splitlines()[:1]}')
    rc, out, err = run(['path', DUMP, a])
    check(rc in (0, 1) and a in out, f'path {a}: exit {rc}')
    for bad in (' 3', '\t3', '3 ', '+3'):
        rc, out, err = run(['scan', '--top', bad, DUMP])
        check(rc == 2 and f"--top needs a positive number, not '{bad}'" in err,
              f'scan --top {bad!r}: exit {rc}, {err!r}')
    rc, out, err = run(['render', '--object', a, '--depth', '1000001', DUMP])
    check(rc == 2 and "--depth needs a number from 0 to 1000000, not '1000001'" in err,
          f'--depth 1000001: exit {rc}, {err!r}')
    rc, out, err = run(['render', '-T', 'txt', '--object', a, '--depth', '1000000', DUMP])
    check(rc == 0, f'--depth 1000000: exit {rc}, {err!r}')

    # Bad input: exit 3, file and line named, no output file left.
    with tempfile.TemporaryDirectory() as tmp:
        bad = os.path.join(tmp, 'bad.jsonl')
        lines = open(DUMP).read().splitlines(True)
        with open(bad, 'w') as f:
            f.writelines(lines[:3])
            f.write('{"address": 12, "type": "T", "size": 1, "refs": [1,]}\n')
        for args, name in ((['render', '-T', 'svg'], 'o.svg'), (['render', '-T', 'dot'], 'o.dot'),
                           (['export', '--representatives'], 'o.json')):
            rc, out, err = run(args + ['-o', name, bad], cwd=tmp)
            check(rc == 3 and err.startswith(f"cycletool: cannot parse '{bad}' at line 4")
                  and sorted(os.listdir(tmp)) == ['bad.jsonl'],
                  f'{" ".join(args)} on bad input: exit {rc}, {err!r}, {os.listdir(tmp)}')
    if FAILED:
        print('%d failed' % len(FAILED))
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())

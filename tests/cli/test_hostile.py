#!/usr/bin/env python3
"""Inputs shaped to make a careless analysis quadratic (issue 16) finish in
time proportional to their size: each adversarial dump made by
make_hostile.py (a chain of self-referring objects, a star, a chain, a
ring, addresses that all collided in the address map's old unkeyed hash) is run through scan, scan --json, top and render --path and must
take at most RATIO times what a plain dump of the same number of objects
takes with the same command (the plain time floored at FLOOR seconds so
that noise on a fast run does not count).  Also checks that long root
paths are printed cut: the text's "… (N more)" and JSON's path_length
and path_omitted.

usage: test_hostile.py CYCLETOOL SOURCE_ROOT
The binary is run as "$CT_WRAPPER CYCLETOOL ..." when CT_WRAPPER is set;
CT_TEST_SMALL=1 uses smaller dumps.
"""
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time

EXE, ROOT = sys.argv[1], sys.argv[2]
GEN = os.path.join(ROOT, 'tests', 'cli', 'make_hostile.py')
N = 20000 if os.environ.get('CT_TEST_SMALL') else 200000
RATIO, FLOOR = 5.0, 0.3
KINDS = ['selfloop', 'star', 'chain', 'ring', 'collide']
COMMANDS = [['scan'], ['scan', '--json'], ['top'], ['render', '-T', 'txt', '--path']]
FAILED = []


def check(ok, what):
    print(('ok   ' if ok else 'FAIL ') + what, flush=True)
    if not ok:
        FAILED.append(what)


def run(args):
    wrapper = shlex.split(os.environ.get('CT_WRAPPER', ''))
    t = time.monotonic()
    try:
        p = subprocess.run(wrapper + [EXE] + args, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=300)
    except subprocess.TimeoutExpired:
        p = subprocess.CompletedProcess(args, -1, b'', b'timed out')
    return time.monotonic() - t, p


def best_of_two(args):
    t1, p = run(args)
    t2, _ = run(args)
    return min(t1, t2), p


def main():
    with tempfile.TemporaryDirectory() as tmp:
        dumps = {}
        for kind in KINDS + ['plain']:
            dumps[kind] = os.path.join(tmp, kind + '.jsonl')
            subprocess.run([sys.executable, GEN, kind, str(N), dumps[kind]], check=True)
        for cmd in COMMANDS:
            base, p = best_of_two(cmd + [dumps['plain']])
            check(p.returncode == 0, f'{" ".join(cmd)} plain: exit {p.returncode}')
            for kind in KINDS:
                t, p = best_of_two(cmd + [dumps[kind]])
                check(p.returncode == 0 and t <= RATIO * max(base, FLOOR),
                      f'{" ".join(cmd)} {kind}: {t:.2f} s against plain {base:.2f} s '
                      f'(at most {RATIO}x), exit {p.returncode}')
                if kind == 'selfloop' and cmd == ['scan']:
                    want = '\u2026 (%d more)' % (N - 14)
                    check(want in p.stdout.decode(), f'scan selfloop: the held path cut ({want})')
                if kind == 'selfloop' and cmd == ['scan', '--json']:
                    sccs = json.loads(p.stdout)['sccs']
                    ok = len(sccs) == N
                    for e in sccs:
                        pos = (int(e['path'][-1]['address'], 16) - 0x100000) // 16
                        ok = ok and e['path_length'] == pos + 1 and len(e['path']) == min(pos + 1, 16) \
                            and e.get('path_omitted', 0) == max(0, pos + 1 - 16) \
                            and e['path'][0]['address'] == '0x100000'
                    check(ok, f'scan --json selfloop: {N} sccs, each path cut to 16 steps '
                          'with path_length and path_omitted')
    if FAILED:
        print('%d failed' % len(FAILED))
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())

#!/usr/bin/env python3
"""The Python loader's fast path (issue 17) reads a line as the dumper
writes it; any other line goes to the JSON scanner.  Both must agree:

- the same objects written compactly (the dumper's spelling: every plain
  line on the fast path) and with blanks after ':' and ',' (every line on
  the scanner) give byte-identical scan, top and export output, with one
  thread and with several;
- lines the fast path starts and then gives up on half-way (an escape, a
  non-ASCII byte, a float or a nested value in a member it skips, a
  20-digit number, a member said twice, a blank before the end of line)
  come out as the scanner reads them, string ids included;
- broken compact lines are refused with the scanner's message, line and
  column (exit 3).

usage: test_fast_parse.py CYCLETOOL
CT_TEST_SMALL=1, CT_WRAPPER or ASan: fewer objects; under valgrind, scan and
top only, and the broken lines with two threads only (which read them
again on one).
"""
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ctcheck  # noqa: E402
from ctcheck import check  # noqa: E402

VALGRIND = 'valgrind' in os.environ.get('CT_WRAPPER', '')
SMALL = bool(os.environ.get('CT_TEST_SMALL') or os.environ.get('CT_WRAPPER') or
             os.environ.get('ASAN_OPTIONS'))
COMPACT = (',', ':')
SPACED = (', ', ': ')

COMMANDS = [
    ['scan', '--json', '--members'],
    ['top', '--json', '-n', '100'],
    ['export', '--format', 'graphml'],
    ['export', '--representatives', '--top', '10'],
]


def objects(n, seed):
    """The objects of a dump: (dict, raw) pairs, raw a function of the
    separators giving the line's text for the lines a dict cannot say."""
    rnd = random.Random(seed)
    addr = [0x7f3a00000000 + 64 * i for i in range(n)]
    out = []
    for i in range(n):
        k = i % 14
        nxt, prv, far = addr[(i + 1) % n], addr[i - 1], addr[rnd.randrange(n)]
        o = {'address': addr[i]}
        if k == 0:
            o.update(type='tuple', size=64, len=3, refcount=2, refs=[nxt, far, prv], idx=-1)
        elif k == 1:
            o.update(type='list', size=88, len=2, refcount=1, refs=[far, nxt], idx=1)
        elif k == 2:
            o.update(type='dict', size=232, refcount=1, refs=[nxt, far, prv],
                     labels=["['k%d']" % (i % 40), None, "['v']"])
        elif k == 3:
            o.update(type='Node', size=56, name='node %d' % (i % 30), refcount=3, refs=[prv],
                     labels=['.parent'])
        elif k == 4:
            o.update(type='str', size=60, len=9, value='text %d %s' % (i, 'x' * (i % 150)),
                     gc=False, refs=[], refcount=1)
        elif k == 5:
            o.update(type='int', size=28, value=rnd.choice([i, -i, 0]), gc=False, refs=[],
                     refcount=4)
        elif k == 6:
            o.update(type='float', size=24, value=rnd.choice([1.5, -2.25e-7, 1e300, 0.0]),
                     gc=False, refs=[], refcount=1)
        elif k == 7:
            o.update(type='bool', size=28, value=rnd.choice([True, False, None]), gc=False,
                     refs=[], refcount=9)
        elif k == 8:
            o.update(type='weakref', size=80, refs=[], weak=[far], refcount=1)
        elif k == 9:
            o.update(type='Closure', size=120, refs=[far, nxt], finalizer=(i % 3 == 0),
                     labels=['.cell', '.__closure__'], refcount=1)
        elif k == 10:
            # Half-way lines: plain at first, then something only the
            # scanner reads, after strings the fast path would store.
            variant = (i // 14) % 8
            o.update(type='Half%d' % variant, size=40, refcount=1, refs=[nxt],
                     labels=['.first%d' % (i % 7)])
            if variant == 0:
                o['value'] = 'quote " and \\ backslash %d' % i
            elif variant == 1:
                o['labels'] = ['.caf\u00e9%d' % (i % 5)]
            elif variant == 2:
                o['extra'] = [1, {'nested': None}]
            elif variant == 3:
                o['len'] = 2.5
            elif variant == 4:
                o['refcount'] = 18446744073709551615   # 20 digits
            elif variant == 5:
                o['value'] = 'control\x01char'
            elif variant == 6:
                o['name'] = 'n\u2603me'
            else:
                o['value'] = 12345678901234567890123   # a long number, kept as text
        elif k == 11:
            # A value before the labels: the order strings are stored in.
            o = {'address': addr[i], 'value': 'v%d' % i, 'type': 'Pair', 'size': 48,
                 'refs': [nxt, far], 'labels': ['.a%d' % (i % 9), '.b'], 'refcount': 2}
        elif k == 12:
            o.update(type='Twice', size=32, refs=[prv], refcount=1)
            out.append((o, lambda sep, a=addr[i], p=prv: (
                '{"address"%s%d%s"type"%s"Once"%s"size"%s32%s"type"%s"Twice"%s'
                '"refs"%s[%d]%s"refcount"%s1}' % (sep[1], a, sep[0], sep[1], sep[0], sep[1],
                                                  sep[0], sep[1], sep[0], sep[1], p, sep[0],
                                                  sep[1]))))
            continue
        else:
            o.update(type='Blank', size=16, refs=[nxt], refcount=1)
            out.append((o, lambda sep, o=o: json.dumps(o, separators=sep) + ' '))
            continue
        out.append((o, None))
    return out


def write(path, objs, sep, crlf=False):
    n = len(objs)
    with open(path, 'w', encoding='utf-8', newline='') as f:
        lines = [json.dumps({'cycletool_dump': 3, 'python': '3.11.7', 'pid': 7, 'seq': 1},
                            separators=sep)]
        for i, (o, raw) in enumerate(objs):
            text = raw(sep) if raw else json.dumps(o, separators=sep,
                                                   ensure_ascii=(i % 3 != 1))
            lines.append(text)
        lines.append(json.dumps({'cycletool_dump_end': 1, 'objects': n}, separators=sep))
        for j, line in enumerate(lines):
            f.write(line + ('\r\n' if crlf and j % 7 == 3 else '\n'))


def run(args, cwd, threads):
    env = dict(os.environ)
    env['CYCLETOOL_THREADS'] = str(threads)
    p = subprocess.run(ctcheck.command(args), capture_output=True, cwd=cwd, env=env,
                       timeout=900)
    return p.returncode, p.stdout, p.stderr.decode('utf-8', 'replace')


def main():
    ctcheck.EXE = os.path.abspath(sys.argv[1])
    tmp = tempfile.mkdtemp(prefix='ct-fast-')
    try:
        n = 3000 if SMALL else 60000
        objs = objects(n, 5)
        dirs = {}
        for name, sep, crlf in (('compact', COMPACT, False), ('spaced', SPACED, False),
                                ('compact-crlf', COMPACT, True)):
            d = os.path.join(tmp, name)
            os.mkdir(d)
            write(os.path.join(d, 'dump.jsonl'), objs, sep, crlf)
            dirs[name] = d
        with open(os.path.join(dirs['compact'], 'dump.jsonl'), 'rb') as f:
            head = f.read(4000)
        check('the compact dump is spelled as the dumper spells it',
              b'{"address":' in head and b'": ' not in head.split(b'\n', 2)[1], head[:300])
        threads = [1, 3]
        for args in COMMANDS[:2] if VALGRIND else COMMANDS:
            what = ' '.join(args)
            base = run(args + ['dump.jsonl'], dirs['spaced'], 1)
            check('spaced: %s exits 0' % what, base[0] == 0, base[2])
            check('spaced: %s prints something' % what, len(base[1]) > 100, base[1][:200])
            for name in ('compact', 'compact-crlf'):
                for t in threads:
                    got = run(args + ['dump.jsonl'], dirs[name], t)
                    check('%s, %d thread(s): %s as the scanner reads it' % (name, t, what),
                          got == base, 'status %d, stderr %r, %d vs %d bytes' %
                          (got[0], got[2], len(got[1]), len(base[1])))

        # Broken compact lines: the scanner's refusal, where it is.
        good = ['{"cycletool_dump":3}', '{"address":16,"type":"a","size":1,"refs":[16]}']
        end = '{"cycletool_dump_end":1,"objects":2}'
        cases = [
            ('{"address":01,"type":"a","size":1,"refs":[]}', '"address" has a leading zero',
             12),
            ('{"address":32,"type":"a","size":-1,"refs":[]}', '"size" must not be negative',
             33),
            ('{"address":32,"type":"a","size":1,"refs":[16,]}', 'must be an integer', 46),
            ('{"address":32,"type":"a","size":1,"refs":[16],"idx":2}',
             '"idx" must be -1 or 1', 54),
            ('{"address":32,"type":"a","size":1,"refs":[16],"idx":1.0}',
             '"idx" must be -1 or 1', 56),
            ('{"address":32,"type":"a","size":1,"refs":[],"gc":tru}',
             '"gc" must be true or false', 50),
            ('{"address":32,"type":5,"size":1,"refs":[]}', '"type" must be a string', 22),
            ('{"address":32,"type":"a","size":1,"refs":[]}x', "unexpected 'x'", 45),
            ('{"address":18446744073709551616,"type":"a","size":1,"refs":[]}',
             'too large for 64 bits', 0),
            ('{"address":32,"type":"a","size":1,"refs":[16],"labels":[1]}',
             'must be strings or null', 0),
            ('{"address":32,"type":"a","size":1,"refs":[16],"labels":[]}',
             '"labels" has 0 entries but "refs" has 1', 0),
            ('{"address":32,"type":"a","size":1}', 'no "refs" member', 0),
            ('{"address":32,"type":"a","size":1,"refs":[16],"labels":[".x"],"idx":1}',
             'both "idx" and "labels"', 0),
            ('{"address":32,"type":"a\x01","size":1,"refs":[]}', 'control character', 0),
            ('{"address":32,"type":"a","size":1,"refs":[17]}', 'unknown address 0x11', 0),
            ('{"address":32,"type":"a","size":1,"refs":[16]', "expected ',' or '}'", 0),
        ]
        for k, (line, want, col) in enumerate(cases):
            d = os.path.join(tmp, 'bad%d' % k)
            os.mkdir(d)
            with open(os.path.join(d, 'dump.jsonl'), 'w', encoding='utf-8') as f:
                f.write('\n'.join(good + [line, end]) + '\n')
            for t in (2,) if VALGRIND else (1, 2):
                st, out, err = run(['scan', '--json', 'dump.jsonl'], d, t)
                where = 'line 3' + (', column %d' % col if col else '')
                check('refused, %d thread(s): %s' % (t, line), st == 3 and want in err and
                      where in err and out == b'', 'status %d: %r' % (st, err))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return ctcheck.finish()


if __name__ == '__main__':
    sys.exit(main())

#!/usr/bin/env python3
"""Python dumps parsed on several threads (issue 17) give exactly what one
pass gives: scan --json --members, top --json and export (GraphML; $ref
JSON on the testdata dumps) byte for byte, on every testdata Python dump and on a generated
dump of 1M objects (cycletool's version 3 with sites, idx, labels,
values, escapes, CRLF and blank lines, sizes of 4 GB and more, a few
addresses far from the others, most lines spelled compactly as the
dumper writes them and some with blanks, and the same objects as a meliae
dump); and a broken dump is refused with the same message (line and
column) whichever thread meets the damage.

One pass is forced with CYCLETOOL_THREADS=1 and with the dump on a pipe
(read as a stream, never mapped); several with CYCLETOOL_THREADS=2, 3, 8
(the generated dump's GraphML export: 3 only, against 1).

usage: test_parallel_load.py CYCLETOOL SOURCE_ROOT
CT_TEST_SMALL=1, or an ASan build (ASAN_OPTIONS set): a 20k-object dump
instead of 1M; under valgrind (CT_WRAPPER) 3k objects, two testdata
dumps, scan and top only.
"""
import gzip
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

SMALL = bool(os.environ.get('CT_TEST_SMALL') or os.environ.get('ASAN_OPTIONS'))
VALGRIND = 'valgrind' in os.environ.get('CT_WRAPPER', '')   # smaller still
MODES = ['pipe', '1', '2', '3', '8']
FEW = ['pipe', '1', '3']   # for the small testdata dumps


def run_mode(mode, args, path):
    """(status, stdout bytes, stderr text) of cycletool ARGS on PATH: from
    a pipe, or with CYCLETOOL_THREADS=mode."""
    env = dict(os.environ)
    env.pop('CYCLETOOL_THREADS', None)
    if mode == 'pipe':
        with open(path, 'rb') as f:
            p = subprocess.run(ctcheck.command(list(args) + ['-']), stdin=f,
                               capture_output=True, env=env, timeout=900)
    else:
        env['CYCLETOOL_THREADS'] = mode
        p = subprocess.run(ctcheck.command(list(args) + [path]), capture_output=True,
                           env=env, timeout=900)
    out, err = p.stdout, p.stderr.decode('utf-8', 'replace')
    if mode == 'pipe':   # the name is the only difference a pipe makes
        err = err.replace("'-'", "'%s'" % path)
        out = out.replace(b'"file":"-"', b'"file":' + json.dumps(path).encode())
    return p.returncode, out, err


COMMANDS = [
    ['scan', '--json', '--members'],
    ['top', '--json', '-n', '200'],
    ['export', '--format', 'graphml'],
    ['export', '--representatives', '--top', '20'],
]


def same_everywhere(name, path, commands=COMMANDS, modes=MODES, export_modes=None):
    """Every command gives what one thread gives in every mode; exports
    (seconds a run on the big dump) in export_modes when given."""
    for args in commands:
        if export_modes and args[0] == 'export':
            args_modes = export_modes
        else:
            args_modes = modes
        base = run_mode('1', args, path)
        check('%s: %s exits 0' % (name, ' '.join(args)), base[0] == 0, base[2])
        check('%s: %s prints something' % (name, ' '.join(args)), len(base[1]) > 20,
              base[1][:200])
        for mode in args_modes:
            if mode == '1':
                continue
            got = run_mode(mode, args, path)
            check('%s: %s with %s threads as with one' % (name, ' '.join(args), mode),
                  got == base, 'status %d vs %d, stderr %r' % (got[0], base[0], got[2]))


def same_error(name, path, modes=None):
    modes = modes or (['1', '3'] if VALGRIND else MODES)
    base = run_mode('1', ['scan', '--json'], path)
    check('%s: refused (status 3)' % name, base[0] == 3, base)
    check('%s: the message names a line' % name, 'line' in base[2], base[2])
    for mode in modes:
        if mode == '1':
            continue
        got = run_mode(mode, ['scan', '--json'], path)
        check('%s: same refusal with %s threads' % (name, mode), got == base,
              '%r vs %r' % (got[2], base[2]))
    return base[2]


def make_dump(path, n, seed, meliae=False):
    """n objects of several shapes; every reference is to an object of the
    dump.  Returns the lines (without end of line), for the broken copies."""
    rnd = random.Random(seed)
    base = 0x7f0000000000
    addr = [base + 48 * i for i in range(n)]
    if not meliae:
        # a few far from the others (as a Python binary's statics are):
        # the pieces that meet them keep 64-bit addresses, the others not
        for i in range(n * 3 // 4, n, max(1, n // 11)):
            addr[i] = 0x55d000001000 + 16 * i
    lines = []
    if not meliae:
        lines.append(json.dumps({'cycletool_dump': 3, 'python': '3.11.7', 'pid': 4242,
                                 'seq': 2, 'time': 1796290747.5}))
    sites = 0
    for i in range(n):
        if not meliae and (i % 997 == 0 or (i > n // 2 and i % 331 == 0)):
            lines.append(json.dumps({'cycletool_site': sites, 'file': 'app/mod%d.py' % (sites % 37),
                                     'line': 10 + sites}))
            sites += 1
        k = i % 9
        nxt, prv = addr[(i + 1) % n], addr[i - 1]
        far = addr[rnd.randrange(n)]
        o = {'address': addr[i]}
        if k == 0:
            o.update(type='tuple', size=64, refs=[nxt, far, prv])
            if not meliae:
                o['idx'] = -1
        elif k == 1:
            o.update(type='list', size=88, refs=[far, nxt])
            if not meliae:
                o['idx'] = 1
        elif k == 2:
            o.update(type='dict', size=232, refs=[nxt, far, prv, addr[(i * 7) % n]])
            if not meliae:
                o['labels'] = ["['key%d']" % (i % 50), None, "['k\u00e9y']", "['%d']" % (i % 5)]
        elif k == 3:
            o.update(type='Node', size=56, refs=[prv])
            if not meliae:
                o.update(labels=['.parent'], name='node-%d \u2603' % (i % 100))
        elif k == 4:
            o.update(type='str', size=60 + i % 40,
                     value='text %d "quoted" \\ caf\u00e9 \x01 end' % i, refs=[])
            if not meliae:
                o['gc'] = False
        elif k == 5:
            o.update(type='int', size=28, value=i * 1000003, refs=[])
        elif k == 6:
            o.update(type='weakref', size=80, refs=[])
            if not meliae:
                o['weak'] = [far]
        elif k == 7:
            o.update(type='Closure\u00e9', size=120, refs=[far, nxt],
                     value=(i % 3 == 0) or None)
            if not meliae:
                o.update(labels=['.cell', '.__closure__'], finalizer=(i % 11 == 0),
                         extra=[1, {'nested': [True, None]}])
        else:
            o.update(type='bytes', size=40, value='nul\u0000inside %d' % i, refs=[nxt])
        if i % max(1, n // 13) == 5:
            o['size'] = 2 ** 32 + 7 * i   # sizes of 4 GB and more, here and there
        if not meliae:
            if i % 4:
                o['refcount'] = 1 + i % 6
            if sites and i % 3 == 0:
                o['site'] = rnd.randrange(sites)
        # Most lines spelled as the dumper spells them (the loader's fast
        # path), one in five with blanks (its JSON scanner).
        lines.append(json.dumps(o, ensure_ascii=(i % 2 == 0),
                                separators=(', ', ': ') if i % 5 == 4 else (',', ':')))
        if i % 5003 == 0:
            lines.append('')
    if not meliae:
        lines.append(json.dumps({'cycletool_dump_end': 1, 'objects': n}))
    with open(path, 'w', encoding='utf-8', newline='') as f:
        for j, line in enumerate(lines):
            f.write(line + ('\r\n' if j % 101 == 7 else '\n'))
    return lines


def write(path, lines):
    with open(path, 'w', encoding='utf-8') as f:
        f.write('\n'.join(lines) + '\n')


def main():
    ctcheck.EXE = sys.argv[1]
    root = sys.argv[2]
    tmp = tempfile.mkdtemp(prefix='ct-parallel-')
    try:
        # Every testdata Python dump (the compressed one unpacked, so that
        # it is mapped and parsed in pieces) and the cli tests' dumps.
        pydir = os.path.join(root, 'testdata', 'python')
        dumps = [os.path.join(pydir, f) for f in sorted(os.listdir(pydir))
                 if f.endswith('.jsonl')]
        dumps += [os.path.join(root, 'tests', 'cli', f) for f in ('cycles.jsonl', 'retain.jsonl')]
        for gz in sorted(os.listdir(pydir)):
            if gz.endswith('.jsonl.gz'):
                out = os.path.join(tmp, gz[:-3])
                with gzip.open(os.path.join(pydir, gz)) as src, open(out, 'wb') as dst:
                    shutil.copyfileobj(src, dst)
                dumps.append(out)
        commands = COMMANDS[:2] if VALGRIND else COMMANDS
        if VALGRIND:
            dumps = [d for d in dumps if os.path.basename(d) in ('pool.jsonl', 'cycles.jsonl')]
        for d in dumps:
            same_everywhere(os.path.basename(d), d, commands=commands, modes=FEW)

        n = 3000 if VALGRIND else 20000 if SMALL else 1000000
        big = os.path.join(tmp, 'big.jsonl')
        lines = make_dump(big, n, 17)
        # Its objects are one big component: a $ref document per cycle
        # group would hold all of them (minutes a run); GraphML has it all.
        # GraphML of 1M objects takes 11 s a run: one thread against three.
        same_everywhere('generated %d objects' % n, big, commands=commands[:3],
                        modes=['1', '2', '8'] if VALGRIND else MODES,
                        export_modes=['1', '3'])
        mel = os.path.join(tmp, 'meliae.jsonl')
        make_dump(mel, n // 4, 18, meliae=True)
        same_everywhere('generated meliae %d objects' % (n // 4), mel,
                        commands=COMMANDS[:2])

        # Broken copies of a smaller dump: the same message from every mode.
        m = 3000 if VALGRIND else 20000 if SMALL else 200000
        lines = make_dump(os.path.join(tmp, 'mid.jsonl'), m, 19)
        at = len(lines) * 2 // 3
        bad = lines[:at] + ['{"address": 1, "type": "x", "size": 1, "refs": [1,]}'] + lines[at:]
        write(os.path.join(tmp, 'bad-syntax.jsonl'), bad)
        msg = same_error('syntax error two thirds in', os.path.join(tmp, 'bad-syntax.jsonl'))
        check('the syntax error names its line', 'line %d' % (at + 1) in msg, msg)
        late = [json.dumps({'address': 9, 'type': 'x', 'size': 1, 'refs': [], 'site': 10 ** 6})]
        write(os.path.join(tmp, 'bad-site.jsonl'), lines[:-1] + late + lines[-1:])
        same_error('site with no record', os.path.join(tmp, 'bad-site.jsonl'))
        write(os.path.join(tmp, 'bad-trailer.jsonl'),
              lines[:-1] + [json.dumps({'cycletool_dump_end': 1, 'objects': m + 1})])
        same_error('end record count', os.path.join(tmp, 'bad-trailer.jsonl'))
        write(os.path.join(tmp, 'bad-after-end.jsonl'), lines + lines[5:6])
        same_error('data after the end record', os.path.join(tmp, 'bad-after-end.jsonl'))
        dup = json.loads(lines[2])   # the first object (after the header and a site)
        write(os.path.join(tmp, 'bad-dup.jsonl'),
              lines[:at] + [json.dumps(dup)] + lines[at:-1] +
              [json.dumps({'cycletool_dump_end': 1, 'objects': m + 1})])
        msg = same_error('duplicate address far apart', os.path.join(tmp, 'bad-dup.jsonl'))
        check('the duplicate names both lines', 'line %d' % (at + 1) in msg and 'line 3)' in msg,
              msg)
        dang = {'address': 11, 'type': 'x', 'size': 1, 'refs': [12345]}
        write(os.path.join(tmp, 'bad-dangling.jsonl'),
              lines[:at] + [json.dumps(dang)] + lines[at:-1] +
              [json.dumps({'cycletool_dump_end': 1, 'objects': m + 1})])
        msg = same_error('reference to nothing', os.path.join(tmp, 'bad-dangling.jsonl'))
        check('the dangling reference names its line', 'line %d' % (at + 1) in msg, msg)
        write(os.path.join(tmp, 'bad-header-late.jsonl'), lines[:at] + lines[:1] + lines[at:])
        same_error('header in the middle', os.path.join(tmp, 'bad-header-late.jsonl'))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return ctcheck.finish()


if __name__ == '__main__':
    sys.exit(main())

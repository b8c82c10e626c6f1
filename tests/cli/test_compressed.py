#!/usr/bin/env python3
"""Compressed input (issue 15, part 2): every bundled dump, gzipped or
zstd-compressed, read from a file (with or without a .gz name) or from a
pipe, gives the same `scan --json` as the plain dump (but for "file");
gzip members one after another (cat a.gz b.gz, pigz) read as one stream;
a truncated or damaged stream is exit 3 with one line naming the
compressed offset; progress counts compressed bytes.

usage: test_compressed.py CYCLETOOL ROOT [CASE]
CASE: same, bundled, damaged, progress (default: all).  CT_TEST_SMALL
(valgrind) leaves out the two big service dumps.
"""
import base64
import gzip
import os
import pty
import random
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ctcheck  # noqa: E402
from ctcheck import check, run, strict  # noqa: E402

ROOT = None
SMALL = bool(os.environ.get('CT_TEST_SMALL'))
ZSTD = shutil.which('zstd')


def run_stdin(args, data):
    p = subprocess.run(ctcheck.command(args), input=data, capture_output=True, timeout=900)
    return p.returncode, p.stdout.decode('utf-8'), p.stderr.decode('utf-8', 'replace')


def zstd(data):
    p = subprocess.run([ZSTD, '-q', '-c', '-3'], input=data, capture_output=True, check=True)
    return p.stdout


def members(data, n):
    """data as n gzip members, one after another."""
    cuts = [len(data) * i // n for i in range(n + 1)]
    return b''.join(gzip.compress(data[cuts[i]:cuts[i + 1]], 6) for i in range(n))


def without_file(doc):
    doc = strict(doc)
    doc.pop('file', None)
    return doc


def dumps(tmp):
    """(name, plain bytes) of every bundled dump."""
    out = []
    for sub, ext in [('python', '.jsonl'), ('v8', '.heapsnapshot'), ('refjson', '.json')]:
        d = os.path.join(ROOT, 'testdata', sub)
        for f in sorted(os.listdir(d)):
            path = os.path.join(d, f)
            if f.endswith(ext):
                data = open(path, 'rb').read()
            elif f.endswith(ext + '.gz'):
                if SMALL and f.startswith('service'):
                    continue
                data = gzip.open(path).read()
            else:
                continue
            out.append((f.removesuffix('.gz'), data))
    return out


def case_same():
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in dumps(tmp):
            plain = os.path.join(tmp, name)
            open(plain, 'wb').write(data)
            rc, out, err = run(['scan', '--json', plain])
            if not check(f'{name}: plain loads', rc == 0, err):
                continue
            want = without_file(out)
            gz = gzip.compress(data, 6)
            forms = [('gzip file', 'gz', gz, name + '.gz'),
                     ('gzip file without a .gz name', 'gz', gz, 'renamed-' + name),
                     ('3 gzip members', 'gz', members(data, 3), name + '.3.gz'),
                     ('gzip pipe', 'gz', gz, '-')]
            if ZSTD:
                zs = zstd(data)
                forms += [('zstd file', 'zst', zs, name + '.zst'),
                          ('zstd pipe', 'zst', zs, '-')]
            for what, _, blob, fname in forms:
                if fname == '-':
                    rc, out, err = run_stdin(['scan', '--json', '-'], blob)
                else:
                    path = os.path.join(tmp, fname)
                    open(path, 'wb').write(blob)
                    rc, out, err = run(['scan', '--json', path])
                ok = rc == 0 and without_file(out) == want and err == ''
                check(f'{name}: {what} gives the same scan --json', ok,
                      f'status {rc}, stderr {err!r}')
                if fname != '-' and rc == 0:
                    check(f'{name}: {what}: "file" is the path given',
                          strict(out).get('file') == os.path.join(tmp, fname), out[:200])
        check('zstd program present (zstd cases run)', ZSTD is not None or SMALL, 'no zstd')


def case_bundled():
    """The bundled .gz dumps read as they are, as their unpacked form."""
    with tempfile.TemporaryDirectory() as tmp:
        names = ['testdata/v8/cycles.heapsnapshot.gz', 'testdata/python/service.jsonl.gz']
        if not SMALL:
            names.append('testdata/v8/service.heapsnapshot.gz')
        for rel in names:
            gz = os.path.join(ROOT, rel)
            plain = os.path.join(tmp, os.path.basename(rel)[:-3])
            open(plain, 'wb').write(gzip.open(gz).read())
            rc1, out1, err1 = run(['scan', '--json', plain])
            rc2, out2, err2 = run(['scan', '--json', gz])
            check(f'{rel}: scan --json reads it as the unpacked file',
                  rc1 == 0 and rc2 == 0 and without_file(out1) == without_file(out2),
                  f'status {rc1}/{rc2}: {err1!r} {err2!r}')
            if rc2 == 0:
                check(f'{rel}: "file" names the .gz', strict(out2)['file'] == gz, out2[:200])
            # Every command opens its input the same way.
            rc, out, err = run(['top', '--json', gz])
            rcp, outp, _ = run(['top', '--json', plain])
            check(f'{rel}: top reads it', rc == 0 and rc == rcp and
                  without_file(out) == without_file(outp), f'status {rc}: {err!r}')


def one_line_error(name, rc, out, err, subject, pattern):
    lines = err.splitlines()
    ok = (rc == 3 and out == '' and len(lines) == 1 and
          lines[0].startswith(f"cycletool: cannot read '{subject}': ") and
          re.search(pattern, lines[0]) is not None and not lines[0].endswith('.'))
    return check(name, ok, f'status {rc}, stdout {out[:100]!r}, stderr {err!r}')


def case_damaged():
    data = open(os.path.join(ROOT, 'testdata', 'python', 'minidom.jsonl'), 'rb').read()
    v8 = open(os.path.join(ROOT, 'testdata', 'v8', 'tiny.heapsnapshot'), 'rb').read()
    gz = gzip.compress(data, 6)
    rnd = random.Random(15)
    with tempfile.TemporaryDirectory() as tmp:
        def put(name, blob):
            path = os.path.join(tmp, name)
            open(path, 'wb').write(blob)
            return path

        # Truncated anywhere: the message names where the data stops.
        for cut in [2, 10, 100, len(gz) // 2, len(gz) - 8, len(gz) - 1]:
            path = put(f'cut{cut}.jsonl.gz', gz[:cut])
            rc, out, err = run(['scan', path])
            one_line_error(f'gzip cut at {cut} of {len(gz)}', rc, out, err, path,
                           rf'gzip data truncated at byte {cut}$')
        rc, out, err = run_stdin(['scan', '--json', '-'], gz[:len(gz) // 3])
        one_line_error('gzip cut, from a pipe, --json', rc, out, err, '-',
                       rf'gzip data truncated at byte {len(gz) // 3}$')
        # Damaged: either the deflate data or the checksum gives it away,
        # named by its compressed offset, even where the damaged bytes
        # decode to something the loader chokes on first.
        for pos in [30, len(gz) // 3, len(gz) // 2, len(gz) - 6]:
            bad = bytearray(gz)
            for i in range(pos, min(pos + 4, len(gz) - 1)):
                bad[i] ^= rnd.randrange(1, 256)
            path = put(f'flip{pos}.jsonl.gz', bytes(bad))
            rc, out, err = run(['scan', path])
            if one_line_error(f'gzip damaged at {pos}', rc, out, err, path,
                              r'gzip data corrupt at byte \d+: '):
                off = int(re.search(r'at byte (\d+)', err).group(1))
                check(f'gzip damaged at {pos}: offset {off} at or after it',
                      pos - 16 <= off <= len(gz), err)
        # A second member that is not one.
        path = put('garbage.jsonl.gz', gz + b'\0\0\0\0')
        rc, out, err = run(['scan', path])
        one_line_error('gzip + trailing zeros', rc, out, err, path,
                       rf'gzip data corrupt at byte {len(gz)}: ')
        # The V8 loader reads through the same input.
        gv = gzip.compress(v8)
        path = put('cut.heapsnapshot.gz', gv[:len(gv) * 2 // 3])
        rc, out, err = run(['scan', path])
        one_line_error('V8 gzip cut', rc, out, err, path, r'gzip data truncated at byte \d+$')
        if ZSTD:
            zs = zstd(data)
            for cut in [4, 20, len(zs) // 2, len(zs) - 1]:
                rc, out, err = run_stdin(['scan', '-'], zs[:cut])
                one_line_error(f'zstd cut at {cut} of {len(zs)}, from a pipe', rc, out, err,
                               '-', rf'zstd data truncated at byte {cut}$')
            bad = bytearray(zs)
            for i in range(len(zs) // 2, len(zs) // 2 + 8):
                bad[i] ^= 0x5a
            path = put('flip.jsonl.zst', bytes(bad))
            rc, out, err = run(['scan', path])
            one_line_error('zstd damaged', rc, out, err, path, r'zstd data corrupt at byte \d+: ')
        # A loader's error early in a big dump is that error: the check
        # of what follows stops after 32 MB, short of the damaged end.
        rnd2 = random.Random(3)
        tail = base64.b64encode(rnd2.randbytes(36 << 20)).replace(b'+', b'\n')
        big = gzip.compress(b'{"cycletool_dump":1}\n{"address": oops}\n' + tail, 1)
        bad = bytearray(big)
        bad[-6] ^= 1
        path = put('early.jsonl.gz', bytes(bad))
        rc, out, err = run(['scan', path])
        check('error on line 2 of a big damaged .gz: the loader\'s error',
              rc == 3 and 'line 2' in err and 'gzip' not in err, f'status {rc}: {err!r}')
        # Within 32 MB the damage found after the loader's error wins.
        small = bytearray(gzip.compress(b'{"cycletool_dump":1}\n{"address": oops}\n'
                                        + tail[:1 << 20], 1))
        small[-6] ^= 1
        path = put('early-small.jsonl.gz', bytes(small))
        rc, out, err = run(['scan', path])
        one_line_error('error on line 2 of a small damaged .gz: the damage', rc, out, err, path,
                       r'gzip data corrupt at byte \d+: incorrect data check$')
        # Two members whose join is cut: still a truncation, not a short graph.
        two = members(data, 2)
        path = put('two-cut.jsonl.gz', two[:len(two) - 3])
        rc, out, err = run(['scan', path])
        one_line_error('2 members, cut', rc, out, err, path,
                       rf'gzip data truncated at byte {len(two) - 3}$')


def case_progress():
    """Progress through a slow pipe counts compressed megabytes."""
    rnd = random.Random(7)
    n = 24000   # about 19 MB compressed: reports at 8 MB steps after the first second
    lines = ['{"cycletool_dump":1}']
    for i in range(n):
        value = base64.b64encode(rnd.randbytes(768)).decode()
        lines.append('{"address":%d,"type":"str","size":800,"value":"%s","refs":[%d]}'
                     % (16 * (i + 1), value, 16 * ((i + 1) % n + 1)))
    lines.append('{"cycletool_dump_end":1,"objects":%d}' % n)
    data = gzip.compress(('\n'.join(lines) + '\n').encode(), 1)
    master, slave = pty.openpty()
    p = subprocess.Popen(ctcheck.command(['scan', '--json', '-']), stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    shown = b''
    step = 1 << 20
    for at in range(0, len(data), step):
        p.stdin.write(data[at:at + step])
        p.stdin.flush()
        time.sleep(1.6 * step / len(data) + 0.05)
        while select.select([master], [], [], 0)[0]:
            try:
                shown += os.read(master, 65536)
            except OSError:
                break
    p.stdin.close()
    out = p.stdout.read()
    rc = p.wait()
    while select.select([master], [], [], 0.2)[0]:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    text = shown.decode('utf-8', 'replace')
    mbs = [int(m) for m in re.findall(r"loading '-': (\d+) MB", text)]
    check('progress: the dump loads through the pipe', rc == 0 and
          strict(out.decode())['summary']['objects'] == n, f'status {rc}, {text!r}')
    check(f'progress: shown while loading ({mbs} MB)', bool(mbs), text[-300:])
    check('progress: compressed megabytes, never more than were sent',
          all(0 < m <= (len(data) >> 20) for m in mbs), f'{mbs} of {len(data) >> 20} MB')


def main():
    global ROOT
    ctcheck.EXE, ROOT = sys.argv[1], sys.argv[2]
    cases = {'same': case_same, 'bundled': case_bundled, 'damaged': case_damaged,
             'progress': case_progress}
    which = sys.argv[3:] or list(cases)
    for c in which:
        cases[c]()
    return ctcheck.finish('compressed-input checks')


if __name__ == '__main__':
    sys.exit(main())

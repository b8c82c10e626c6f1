#!/usr/bin/env python3
"""Checks for bugs found while writing the tests and not fixed yet.  Each
is registered in tests/meson.build with should_fail: true, so the suite
stays green while the bug exists and reports UNEXPECTEDPASS once it is
fixed: then drop should_fail (the check becomes an ordinary test).

usage: test_known_bugs.py CYCLETOOL BUG
The binary is run as "$CT_WRAPPER CYCLETOOL ..." when CT_WRAPPER is set.
"""
import json
import os
import shlex
import subprocess
import sys
import tempfile


def run(exe, args, stdout=subprocess.PIPE):
    wrapper = shlex.split(os.environ.get('CT_WRAPPER', ''))
    p = subprocess.run(wrapper + [exe] + args, stdout=stdout, stderr=subprocess.PIPE,
                       timeout=600)
    return p.returncode, p.stdout.decode() if p.stdout is not None else '', p.stderr.decode()


def many_cycles(path, n=3000):
    with open(path, 'w') as f:
        f.write('{"cycletool_dump": 1}\n')
        for i in range(n):
            a = 16 * (2 * i + 1)
            f.write('{"address": %d, "type": "T%d", "size": 8, "refcount": 1, "refs": [%d]}\n'
                    % (a, i % 50, a + 16))
            f.write('{"address": %d, "type": "U", "size": 8, "refcount": 1, "refs": [%d]}\n'
                    % (a + 16, a))
        f.write('{"cycletool_dump_end": 1, "objects": %d}\n' % (2 * n))


def write_error_one_line(exe, tmp):
    """Output bigger than the stdio buffer to a full disk: exactly one
    message (today: the writer's 'write error' and then finish_stdout's
    'cannot write output' -- two lines)."""
    dump = os.path.join(tmp, 'many.jsonl')
    many_cycles(dump)
    ok = True
    for args in (['scan', dump], ['scan', '--json', '--members', dump], ['scan', '--ndjson', dump]):
        with open('/dev/full', 'wb') as full:
            rc, _, err = run(exe, args, stdout=full)
        good = rc == 4 and err.startswith('cycletool: ') and len(err.splitlines()) == 1
        print(('ok  ' if good else 'FAIL'), ' '.join(args[:-1]), f'status {rc}', repr(err))
        ok &= good
    return ok


def json_exact_bytes(exe, tmp):
    """Byte counts are integers in JSON and exact: a 2**53 + 1 byte object
    is reported as 9007199254740993, not 9.00719925474099e+15."""
    dump = os.path.join(tmp, 'big.jsonl')
    with open(dump, 'w') as f:
        f.write('{"cycletool_dump": 1}\n')
        f.write('{"address": 16, "type": "A", "size": 9007199254740993, "refcount": 1, "refs": [16]}\n')
        f.write('{"cycletool_dump_end": 1, "objects": 1}\n')
    rc, out, err = run(exe, ['scan', '--json', dump])
    doc = json.loads(out)
    got = doc['sccs'][0]['bytes']
    print('bytes:', repr(got), 'summary garbage_bytes:', repr(doc['summary']['garbage_bytes']))
    return rc == 0 and got == 9007199254740993 and isinstance(got, int)


def nul_in_type(exe, tmp):
    """Type names with \\u0000 are distinct types: "A\\u0000B" and
    "A\\u0000C" must not both be written as "A" (JSON keys and signatures
    are cut at the NUL, so two different shapes merge into one group)."""
    dump = os.path.join(tmp, 'nul.jsonl')
    with open(dump, 'w') as f:
        f.write('{"cycletool_dump": 1}\n')
        f.write('{"address": 16, "type": "A\\u0000B", "size": 1, "refcount": 1, "refs": [16]}\n')
        f.write('{"address": 32, "type": "A\\u0000C", "size": 1, "refcount": 1, "refs": [32]}\n')
        f.write('{"cycletool_dump_end": 1, "objects": 2}\n')
    rc, out, err = run(exe, ['scan', '--json', dump])
    doc = json.loads(out)
    print('groups:', [(g['signature'], g['count']) for g in doc['groups']])
    return rc == 0 and len(doc['groups']) == 2


def big_sizes(exe, tmp):
    """Sizes of 4 GB and more (kept apart from the graph's 32-bit sizes)
    are exact in scan's bytes and in top's self and retained sizes, and
    so are addresses that leave the graph's 32-bit form midway."""
    dump = os.path.join(tmp, 'bigsize.jsonl')
    a, b, c = 2**53 + 1, 2**33, 2**32 - 1
    with open(dump, 'w') as f:
        f.write('{"cycletool_dump": 1}\n')
        f.write(f'{{"address": 140000000000016, "type": "A", "size": {a}, "refcount": 2, "refs": [140000000000032, 24]}}\n')
        f.write(f'{{"address": 140000000000032, "type": "B", "size": {b}, "refcount": 1, "refs": [140000000000016]}}\n')
        f.write(f'{{"address": 24, "type": "C", "size": {c}, "refcount": 1, "refs": []}}\n')
        f.write('{"cycletool_dump_end": 1, "objects": 3}\n')
    rc, out, err = run(exe, ['scan', '--json', dump])
    doc = json.loads(out)
    scc = doc['sccs'][0]['bytes']
    rc2, out2, err2 = run(exe, ['top', '--json', '-n', '3', dump])
    got = {o['id']: (o['self_size'], o['retained']) for o in json.loads(out2)['objects']}
    print('scan bytes:', scc, 'top:', got)
    want = {hex(140000000000016): (a, a + b + c), hex(140000000000032): (b, b), '0x18': (c, c)}
    return rc == 0 and rc2 == 0 and scc == a + b and got == want


BUGS = {
    'write-error-one-line': write_error_one_line,
    'json-exact-bytes': json_exact_bytes,
    'nul-in-type': nul_in_type,
    'big-sizes': big_sizes,
}

if __name__ == '__main__':
    exe, bug = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        ok = BUGS[bug](exe, tmp)
    print('ok' if ok else f'bug {bug} is present')
    sys.exit(0 if ok else 1)

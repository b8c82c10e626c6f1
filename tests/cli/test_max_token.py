#!/usr/bin/env python3
"""The token limit (issue 16): a line of a JSON-lines dump or a string in
any JSON dump longer than --max-token (256 MiB by default) is exit 3 with
one line naming the file, the line and the column, found with memory
proportional to the limit, not to the token; within the limit it loads.

usage: test_max_token.py CYCLETOOL SOURCE_ROOT
The binary is run as "$CT_WRAPPER CYCLETOOL ..." when CT_WRAPPER is set.
"""
import os
import re
import resource
import shlex
import subprocess
import sys
import tempfile
import threading

EXE, ROOT = sys.argv[1], sys.argv[2]
FAILED = []
V8 = os.path.join(ROOT, 'testdata', 'v8', 'tiny.heapsnapshot')


def check(ok, what):
    print(('ok   ' if ok else 'FAIL ') + what, flush=True)
    if not ok:
        FAILED.append(what)


def run(args, stdin_bytes=None, stdin_gen=None):
    wrapper = shlex.split(os.environ.get('CT_WRAPPER', ''))
    p = subprocess.Popen(wrapper + [EXE] + args, stdin=subprocess.PIPE if (stdin_bytes or stdin_gen) else None,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if stdin_gen:
        def feed():
            try:
                for chunk in stdin_gen():
                    p.stdin.write(chunk)
                p.stdin.close()
            except BrokenPipeError:
                pass
        t = threading.Thread(target=feed)
        t.start()
        out, err = p.stdout.read(), p.stderr.read()
        p.wait()
        t.join()
    else:
        out, err = p.communicate(stdin_bytes)
    return p.returncode, out.decode(errors='replace'), err.decode(errors='replace')


def python_dump(type_name):
    return ('{"cycletool_dump": 1}\n'
            '{"address":16,"type":"%s","size":1,"refcount":1,"refs":[]}\n'
            '{"cycletool_dump_end": 1, "objects": 1}\n' % type_name).encode()


def main():
    with tempfile.TemporaryDirectory() as tmp:
        # The memory check first: ru_maxrss of the children is their peak.
        big = 200 << 20

        def gen():
            yield b'{"cycletool_dump": 1}\n{"address":16,"type":"'
            block = b'x' * (1 << 20)
            for _ in range(big >> 20):
                yield block
            yield b'","size":1,"refs":[]}\n'
        rc, out, err = run(['scan', '--max-token', '1M', '-'], stdin_gen=gen)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss >> 10
        wrapped = bool(os.environ.get('CT_WRAPPER'))
        check(rc == 3 and re.search(r"^cycletool: cannot parse '-' at line 2, column 1048577: "
                                    r"line longer than the limit of 1048576 bytes", err)
              and err.count('\n') == 1, f'python, a 200 MB line on a pipe: exit {rc}, {err!r}')
        check(wrapped or peak < 64, f'python, a 200 MB line: peak {peak} MB (at most 64)')

        # Python: a line just over and just at the limit.
        path = os.path.join(tmp, 'd.jsonl')
        with open(path, 'wb') as f:
            f.write(python_dump('T' * 5000))
        line2 = len(python_dump('T' * 5000).split(b'\n')[1])
        rc, out, err = run(['scan', '--max-token', str(line2 - 1), path])
        check(rc == 3 and f"at line 2, column {line2}: line longer than the limit of {line2 - 1} bytes"
              in err, f'python, one byte over: exit {rc}, {err!r}')
        rc, out, err = run(['scan', '--max-token', str(line2), path])
        check(rc == 0 and not err, f'python, at the limit: exit {rc}, {err!r}')
        for cmd, after in ((['top'], []), (['path'], ['0x10']), (['render', '-T', 'txt'], []),
                           (['export', '--representatives'], []), (['diff', path], [])):
            rc, out, err = run(cmd + ['--max-token', '4K', path] + after)
            check(rc == 3 and 'line longer than the limit of 4096 bytes' in err and not out,
                  f'{cmd[0]} --max-token 4K: exit {rc}, {err!r}')
        for bad in ('0', '4x', '-1', 'K', '99999999999G'):
            rc, out, err = run(['scan', '--max-token', bad, path])
            check(rc == 2 and f"--max-token needs a size" in err, f'--max-token {bad}: exit {rc}')

        # $ref JSON: the string is named where it starts.
        path = os.path.join(tmp, 'r.json')
        line2 = '  "name": {"$type": "str", "$value": "%s"}}' % ('v' * 9000)
        with open(path, 'w') as f:
            f.write('{"$type": "App",\n' + line2 + '\n')
        col = line2.index('"vvv') + 1
        rc, out, err = run(['scan', '--max-token', '8K', path])
        check(rc == 3 and f"at line 2, column {col}: string longer than the limit of 8192 bytes" in err,
              f'refjson, a 9000-byte string: exit {rc}, {err!r}')
        rc, out, err = run(['scan', '--max-token', '9000', path])
        check(rc == 0, f'refjson, at the limit: exit {rc}, {err!r}')

        # V8 (read in windows): a long name in the strings table.
        text = open(V8, encoding='utf-8').read()
        long = text.replace('"Lost",', '"%s",' % ('L' * 70000), 1)
        path = os.path.join(tmp, 'v.heapsnapshot')
        with open(path, 'w', encoding='utf-8') as f:
            f.write(long)
        lines = long.split('\n')
        ln = next(i for i, l in enumerate(lines) if l.startswith('"LLL')) + 1
        rc, out, err = run(['scan', '--max-token', '64K', path])
        check(rc == 3 and f"at line {ln}, column 1: string longer than the limit of 65536 bytes" in err,
              f'v8, a 70000-byte string: exit {rc}, {err!r}')
        rc, out, err = run(['scan', '--max-token', '70000', path])
        check(rc == 0, f'v8, at the limit: exit {rc}, {err!r}')
        # Escapes count as what they decode to.
        long = text.replace('"Lost",', '"%s",' % ('\\u0041' * 20000), 1)
        with open(path, 'w', encoding='utf-8') as f:
            f.write(long)
        rc, out, err = run(['scan', '--max-token', '20000', path])
        check(rc == 0, f'v8, 20000 escapes at a 20000 limit: exit {rc}, {err!r}')
        rc, out, err = run(['scan', '--max-token', '19999', path])
        check(rc == 3 and 'string longer than the limit of 19999 bytes' in err,
              f'v8, 20000 escapes over a 19999 limit: exit {rc}, {err!r}')
    if FAILED:
        print('%d failed' % len(FAILED))
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())

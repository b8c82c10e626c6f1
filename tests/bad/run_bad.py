#!/usr/bin/env python3
"""Bad-input tests: every malformed or unreadable input must make
`cycletool scan` exit with status 3, print nothing on stdout and exactly
one line on stderr that starts with 'cycletool: ', names the file and,
where a line is at fault, says 'line N'.  Usage errors exit with 2.

usage: run_bad.py CYCLETOOL BAD_DIR           every case
       run_bad.py CYCLETOOL BAD_DIR CASE      one case file of CASES
       run_bad.py CYCLETOOL BAD_DIR --extras  everything but the case files
       run_bad.py --list                      the case files, one per line
The binary is run as "$CT_WRAPPER CYCLETOOL ..." when CT_WRAPPER is set.
"""
import os
import shlex
import subprocess
import sys
import tempfile

# file -> line the message must name (None: no line applies)
CASES = {
    'truncated-midline.jsonl': 3,
    'truncated-no-trailer.jsonl': 3,
    'wrong-format.csv': None,
    'wrong-format-v8.heapsnapshot': None,
    # A V8 snapshot whose class name holds the byte 0xff (line 40,
    # column 4): the V8 loader is as strict as the others.
    'invalid-utf8.heapsnapshot': 40,
    'png-header.png': None,
    'random-bytes.bin': None,
    'binary-after-header.jsonl': 3,
    'missing-bracket.jsonl': 2,
    'missing-brace.jsonl': 2,
    'trailing-comma.jsonl': 2,
    'trailing-comma-object.jsonl': 2,
    'bad-escape.jsonl': 2,
    'lone-surrogate.jsonl': 2,
    'duplicate-address.jsonl': 4,
    'dangling.jsonl': 3,
    'negative-size.jsonl': 2,
    'negative-ref.jsonl': 2,
    'huge-address.jsonl': 2,
    'huge-refcount.jsonl': 2,
    'float-size.jsonl': 2,
    'float-address.jsonl': 2,
    'string-size.jsonl': 2,
    'type-not-string.jsonl': 2,
    'gc-not-bool.jsonl': 2,
    'labels-mismatch.jsonl': 2,
    'labels-not-strings.jsonl': 2,
    'missing-size.jsonl': 2,
    'missing-refs.jsonl': 2,
    'header-not-first.jsonl': 2,
    'header-after-blank.jsonl': 2,
    'header-twice.jsonl': 2,
    'bad-version.jsonl': 1,
    # The header's pid, seq and time (read only from the header line).
    'header-negative-pid.jsonl': 1,
    'header-float-seq.jsonl': 1,
    'header-string-time.jsonl': 1,
    'trailer-count.jsonl': 4,
    'data-after-trailer.jsonl': 4,
    'not-an-object.jsonl': 2,
    'crlf-error.jsonl': 4,
    'no-objects.jsonl': 2,
    'nul-in-string.jsonl': 2,
    'nul-between-tokens.jsonl': 2,
    'deep-nesting.jsonl': 2,
    'empty.jsonl': None,
    # Java heap dumps: no lines; the message names the byte offset
    # (tests/cli/test_hprof.py checks the offsets).
    'hprof-truncated.hprof': None,
    'hprof-idsize-3.hprof': None,
    'hprof-unknown-subrecord.hprof': None,
    'hprof-bad-version.hprof': None,
    # Compressed input: the message names the compressed offset, not a line.
    'truncated.jsonl.gz': None,
    'corrupt.heapsnapshot.gz': None,
    'truncated.jsonl.zst': None,
    # Graph files (igraph's and cgraph's messages name the line, except
    # igraph's edge list reader).
    'gml-syntax.gml': 4,
    'graphml-unclosed.graphml': 6,
    'pajek-syntax.net': 6,
    'dot-syntax.dot': 3,
    'dot-trailing.dot': 1,
    'dot-two-graphs.dot': 4,
    'dot-quote-after.dot': 4,
    'edgelist-weight.edges': None,
    'lgl-syntax.lgl': 3,
    'dimacs-syntax.dimacs': None,
    'dimacs-blank-char.dimacs': 3,
}

failures = []


def run(exe, args, stdin=None):
    wrapper = shlex.split(os.environ.get('CT_WRAPPER', ''))
    p = subprocess.run(wrapper + [exe] + args, input=stdin, capture_output=True, timeout=600)
    return p.returncode, p.stdout.decode('utf-8', 'replace'), p.stderr.decode('utf-8', 'replace')


def fail(name, why, rc, out, err):
    failures.append(name)
    print(f'FAIL {name}: {why}\n  status {rc}\n  stdout {out[:300]!r}\n  stderr {err[:500]!r}')


def expect_input_error(name, exe, args, subject, line, stdin=None):
    rc, out, err = run(exe, args, stdin)
    lines = err.splitlines()
    if rc != 3:
        return fail(name, 'exit status is not 3', rc, out, err)
    if out:
        return fail(name, 'something on stdout', rc, out, err)
    if len(lines) != 1 or not err.endswith('\n'):
        return fail(name, f'{len(lines)} lines on stderr, want exactly one', rc, out, err)
    msg = lines[0]
    if not msg.startswith('cycletool: '):
        return fail(name, "stderr does not start with 'cycletool: '", rc, out, err)
    if f"'{subject}'" not in msg:
        return fail(name, f"message does not name '{subject}'", rc, out, err)
    if line is not None and f'line {line}' not in msg.replace(f'line {line},', f'line {line}'):
        return fail(name, f"message does not say 'line {line}'", rc, out, err)
    if line is not None and f'line {line}' in msg:
        # 'line 2' must not be the prefix of 'line 23'
        after = msg.split(f'line {line}', 1)[1][:1]
        if after.isdigit():
            return fail(name, f"message names another line than {line}", rc, out, err)
    if msg.rstrip().endswith('.'):
        return fail(name, 'message ends with a full stop', rc, out, err)
    print(f'ok   {name}: {msg}')


def expect_usage_error(name, exe, args, prefix=True):
    rc, out, err = run(exe, args)
    if rc != 2:
        return fail(name, 'exit status is not 2', rc, out, err)
    if out:
        return fail(name, 'something on stdout', rc, out, err)
    if not err:
        return fail(name, 'nothing on stderr', rc, out, err)
    if prefix and not err.startswith('cycletool: '):
        return fail(name, "stderr does not start with 'cycletool: '", rc, out, err)
    print(f'ok   {name}: {err.splitlines()[0]}')


def main():
    if sys.argv[1] == '--list':
        print('\n'.join(sorted(CASES)))
        return 0
    exe, bad = sys.argv[1], sys.argv[2]
    only = sys.argv[3] if len(sys.argv) > 3 else None
    os.chdir(bad)  # so that messages name the file as given
    if only is None or only == '--extras':
        listed = set(CASES)
        present = {f for f in os.listdir('.') if not f.endswith('.py')}
        for f in sorted(present - listed):
            failures.append(f)
            print(f'FAIL {f}: case file without an expectation in run_bad.py')
    for name, line in sorted(CASES.items()):
        if only is not None and only != name:
            continue
        expect_input_error(name, exe, ['scan', name], name, line)
        # The same through --json: the error path must not print a half document.
        expect_input_error(name + ' --json', exe, ['scan', '--json', name], name, line)
    if only is not None and only != '--extras':
        return 1 if failures else 0
    # Standard input is named '-'.
    with open('duplicate-address.jsonl', 'rb') as f:
        expect_input_error('stdin', exe, ['scan', '-'], '-', 4, stdin=f.read())
    # An explicit format does not skip the checks: a meliae dump (no
    # header, no trailer) read as our format is truncated.
    with tempfile.TemporaryDirectory() as tmp:
        meliae = os.path.join(tmp, 'meliae.jsonl')
        with open(meliae, 'w') as f:
            f.write('{"address": 16, "type": "A", "size": 8, "refs": [16]}\n')
        expect_input_error('meliae as --format=python', exe,
                           ['scan', '--format=python', meliae], meliae, 1)
        rc, out, err = run(exe, ['scan', meliae])
        if rc != 0:
            fail('meliae probed', 'a headerless meliae dump must load', rc, out, err)
        # A directory, a missing file, an unreadable file.
        expect_input_error('directory', exe, ['scan', tmp], tmp, None)
        missing = os.path.join(tmp, 'no-such-file.jsonl')
        expect_input_error('missing file', exe, ['scan', missing], missing, None)
        if os.geteuid() != 0:
            unreadable = os.path.join(tmp, 'unreadable.jsonl')
            with open(unreadable, 'w') as f:
                f.write('{}\n')
            os.chmod(unreadable, 0)
            expect_input_error('unreadable file', exe, ['scan', unreadable], unreadable, None)
        # A line longer than 4 MB (the first buffer), cut short.
        long = os.path.join(tmp, 'long-line.jsonl')
        with open(long, 'w') as f:
            f.write('{"cycletool_dump": 1}\n')
            f.write('{"address": 16, "type": "A", "size": 8, "refs": [16]}\n')
            f.write('{"address": 32, "type": "' + 'x' * (5 << 20))
        expect_input_error('long truncated line', exe, ['scan', long], long, 3)
        # A long line that is fine, then an error on the next line.
        long2 = os.path.join(tmp, 'long-then-bad.jsonl')
        with open(long2, 'w') as f:
            f.write('{"cycletool_dump": 1}\n')
            f.write('{"address": 16, "type": "A", "size": 8, "refs": [16], "value": "'
                    + 'y' * (6 << 20) + '"}\n')
            f.write('{"address": 16, "type": "A", "size": 8, "refs": []}\n')
        expect_input_error('duplicate after a long line', exe, ['scan', long2], long2, 3)

    # --allow-dangling loads the dangling dump and reports the count.
    rc, out, err = run(exe, ['scan', '--allow-dangling', '--json', 'dangling.jsonl'])
    import json
    try:
        doc = json.loads(out)
        n = doc['summary']['dangling_references']
    except Exception as e:  # noqa: BLE001
        n = f'unparsable: {e}'
    if rc != 0 or n != 1:
        fail('--allow-dangling', f'want status 0 and 1 dangling reference, got {n}', rc, out, err)
    elif not err.startswith('cycletool: ') or "'dangling.jsonl'" not in err or '1' not in err:
        fail('--allow-dangling', 'want one warning naming the file and the count', rc, out, err)
    else:
        print(f'ok   --allow-dangling: {err.strip()}')
    rc, out, err = run(exe, ['scan', '--allow-dangling', 'dangling.jsonl'])
    if rc != 0 or not out:
        fail('--allow-dangling (text)', 'want status 0 and a report', rc, out, err)

    # Usage errors.
    good = 'dangling.jsonl'
    for name, args in [
        ('unknown option', ['scan', '--no-such-option', good]),
        ('unknown short option', ['scan', '-z', good]),
        ('missing DUMP', ['scan']),
        ('two DUMPs', ['scan', good, good]),
        ('--top=0', ['scan', '--top=0', good]),
        ('--top=-1', ['scan', '--top=-1', good]),
        ('--top=abc', ['scan', '--top=abc', good]),
        ('--top=', ['scan', '--top=', good]),
        ('--top too big', ['scan', '--top=99999999999999999999', good]),
        ('--top without value', ['scan', good, '--top']),
        ('--min-size=x', ['scan', '--min-size=x', good]),
        ('--json --ndjson', ['scan', '--json', '--ndjson', good]),
        ('--ndjson --json', ['scan', '--ndjson', '--json', good]),
        ('--garbage --alive', ['scan', '--garbage', '--alive', good]),
        ('--fail-on=bad', ['scan', '--fail-on=everything', good]),
        ('--color=bad', ['scan', '--color=sometimes', good]),
        ('--format=bad', ['scan', '--format=v9', good]),
        ('unknown command', ['frobnicate', good]),
    ]:
        expect_usage_error(name, exe, args)
    # The options every command shares behave the same in each.
    formats = ['python', 'meliae', 'v8', 'refjson']
    for cmd in ['scan', 'top', 'path', 'render', 'export']:
        extra = ['1'] if cmd == 'path' else ['--root=1'] if cmd == 'export' else []
        expect_usage_error(f'{cmd}: unknown option', exe, [cmd, '--no-such-option', good] + extra)
        expect_usage_error(f'{cmd}: -f without a value', exe, [cmd, good] + extra + ['-f'])
        rc, out, err = run(exe, [cmd, '--format=v9', good] + extra)
        if rc != 2 or not all(f in err for f in formats):
            fail(f'{cmd}: --format=v9', 'want status 2 and every format named', rc, out, err)
        rc, out, err = run(exe, [cmd, '--help'])
        missing = [f for f in formats if f not in out]
        if rc != 0 or missing or '--allow-dangling' not in out:
            fail(f'{cmd} --help', f'formats missing from the help: {missing}', rc, out, err)
        for f in formats:
            # A format the help names is one -f takes: the missing file,
            # not the option, is the error.
            rc, out, err = run(exe, [cmd, '-f', f, 'no-such-file'] + extra)
            if rc != 3 or 'no-such-file' not in err:
                fail(f'{cmd} -f {f}', 'want status 3 for the missing file', rc, out, err)
        print(f'ok   {cmd}: shared options')
    # No command at all: the usage text goes to stderr.
    expect_usage_error('no command', exe, [], prefix=False)

    print(f'{len(failures)} failure(s)' if failures else 'all bad-input tests passed')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())

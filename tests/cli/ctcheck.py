"""What the cli tests share: named checks that count failures, running
cycletool (as "$CT_WRAPPER CYCLETOOL ..." when CT_WRAPPER is set), and
JSON read as strictly as the output layer promises it.

    import ctcheck
    from ctcheck import check, run, strict
    ctcheck.EXE = sys.argv[1]
    ...
    sys.exit(ctcheck.finish())
"""
import json
import os
import shlex
import subprocess

EXE = None          # the cycletool binary, set by the test
failures = []


def check(name, cond, detail=''):
    """Print ok/FAIL for one named check; returns cond."""
    print(('ok   ' if cond else 'FAIL ') + name + ('' if cond else ': ' + str(detail)[:600]))
    if not cond:
        failures.append(name)
    return cond


def command(args):
    """The argv that runs cycletool with args (under CT_WRAPPER if set)."""
    return shlex.split(os.environ.get('CT_WRAPPER', '')) + [EXE] + list(args)


def run(args):
    """(status, stdout, stderr) of cycletool with args.  Standard output
    must be valid UTF-8: a decoding error fails the test."""
    p = subprocess.run(command(args), capture_output=True, timeout=900)
    return p.returncode, p.stdout.decode('utf-8'), p.stderr.decode('utf-8', 'replace')


def strict(text):
    """JSON with no duplicate keys and no NaN or Infinity (invalid UTF-8
    is refused by run())."""
    def no_dups(pairs):
        keys = [k for k, _ in pairs]
        if len(keys) != len(set(keys)):
            raise ValueError('duplicate key in %r' % keys)
        return dict(pairs)

    def no_constant(name):
        raise ValueError('not JSON: ' + name)
    return json.loads(text, object_pairs_hook=no_dups, parse_constant=no_constant)


def finish(what='checks'):
    """Print the tally; the exit status (0 all passed, 1 some failed)."""
    print(f'{len(failures)} check(s) failed' if failures else f'all {what} passed')
    return 1 if failures else 0

#!/usr/bin/env python3
"""Compare `cycletool scan --color=never DUMP` with the expected report
kept beside the dump (DUMP without .jsonl, plus .scan), run in the dump's
folder so the report names the file as given.

usage: golden.py CYCLETOOL DUMP [--update]
The binary is run as "$CT_WRAPPER CYCLETOOL ..." when CT_WRAPPER is set.
"""
import difflib
import os
import shlex
import subprocess
import sys


def main():
    exe, dump = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    expected = dump[:-len('.jsonl')] + '.scan'
    wrapper = shlex.split(os.environ.get('CT_WRAPPER', ''))
    p = subprocess.run(wrapper + [exe, 'scan', '--color=never', os.path.basename(dump)],
                       cwd=os.path.dirname(dump), capture_output=True, text=True, timeout=600)
    if p.returncode != 0 or p.stderr:
        print(f'status {p.returncode}, stderr {p.stderr!r}')
        return 1
    if '--update' in sys.argv[3:]:
        with open(expected, 'w') as f:
            f.write(p.stdout)
        return 0
    want = open(expected).read()
    if p.stdout != want:
        sys.stdout.writelines(difflib.unified_diff(
            want.splitlines(True), p.stdout.splitlines(True), expected, 'cycletool scan'))
        return 1
    print(f'{os.path.basename(dump)}: report as expected ({len(want.splitlines())} lines)')
    return 0


if __name__ == '__main__':
    sys.exit(main())

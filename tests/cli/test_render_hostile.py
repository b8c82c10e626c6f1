#!/usr/bin/env python3
"""render on long cycles (issue 16): graphviz lays out on a thread with a
big stack (a 700-object ring with dot under a 128 KiB stack limit, which
overflowed before), dot past its limit is refused with a message that
names sfdp and leaves no output file, and a cycle longer than
--max-nodes is drawn cut with the cut marked (it used to be "has no
cycles").

usage: test_render_hostile.py CYCLETOOL SOURCE_ROOT
The binary is run as "$CT_WRAPPER CYCLETOOL ..." when CT_WRAPPER is set.
"""
import os
import re
import resource
import shlex
import subprocess
import sys
import tempfile

EXE, ROOT = sys.argv[1], sys.argv[2]
GEN = os.path.join(ROOT, 'tests', 'cli', 'make_hostile.py')
FAILED = []


def check(ok, what):
    print(('ok   ' if ok else 'FAIL ') + what, flush=True)
    if not ok:
        FAILED.append(what)


def run(args, stack=None):
    wrapper = shlex.split(os.environ.get('CT_WRAPPER', ''))

    def limit():
        if stack:
            resource.setrlimit(resource.RLIMIT_STACK, (stack, stack))
    p = subprocess.run(wrapper + [EXE] + args, capture_output=True, timeout=600,
                       preexec_fn=limit)
    return p.returncode, p.stdout.decode(errors='replace'), p.stderr.decode(errors='replace')


def ring(tmp, n):
    path = os.path.join(tmp, f'ring{n}.jsonl')
    subprocess.run([sys.executable, GEN, 'ring', str(n), path], check=True)
    return path


def main():
    with tempfile.TemporaryDirectory() as tmp:
        # Deep recursion inside graphviz, on its own stack.
        if not os.environ.get('CT_WRAPPER'):  # valgrind runs threads on its own stacks
            out = os.path.join(tmp, 'r.svg')
            rc, _, err = run(['render', '--layout=dot', '--max-nodes', '1000', '-o', out,
                              ring(tmp, 700)], stack=128 << 10)
            svg = open(out, 'rb').read() if os.path.exists(out) else b''
            check(rc == 0 and svg.rstrip().endswith(b'</svg>') and svg.count(b'class="node"') == 700,
                  f'dot on a 700-ring under a 128 KiB stack: exit {rc}, {err[-200:]!r}')

        # dot past its limit: refused, nothing written.
        big = ring(tmp, 20000)
        out = os.path.join(tmp, 'big.svg')
        rc, _, err = run(['render', '--layout=dot', '--max-nodes', '1000000', '-o', out, big])
        check(rc == 2 and re.search(r'^cycletool: dot cannot lay out 20000 nodes and 20000 edges.*'
                                    r'--layout=sfdp', err, re.M) and not os.path.exists(out)
              and not [f for f in os.listdir(tmp) if f.startswith('.big') or f.startswith('big')],
              f'dot on a 20000-ring: exit {rc}, {err!r}')

        # A cycle longer than --max-nodes: drawn cut, the cut marked.
        r500 = ring(tmp, 500)
        rc, out, err = run(['render', '-T', 'txt', '--max-nodes', '8', r500])
        nodes = re.findall(r'Node 0x[0-9a-f]+', out)
        check(rc == 0 and 'has no cycles' not in err and len(nodes) == 8
              and 'cut at 8 nodes (--max-nodes): 492 more objects' in out
              and '1 more references to objects not drawn' in out,
              f'txt: a 500-cycle cut at 8: exit {rc}, {len(nodes)} nodes, {err!r}')
        rc, out, err = run(['render', '-T', 'dot', r500])
        check(rc == 0 and 'has no cycles' not in err and out.count('label="Node\\n48 B"') == 300
              and 'cut at 300 nodes (--max-nodes): 200 more objects' in out
              and 'style=dotted' in out, f'dot: a 500-cycle cut at the default 300: exit {rc}, {err!r}')
        rc, out, err = run(['render', '-T', 'svg', '--max-nodes', '50', r500])
        check(rc == 0 and out.rstrip().endswith('</svg>') and 'cut at 50 nodes' in out,
              f'svg: a 500-cycle cut at 50: exit {rc}, {err!r}')
    if FAILED:
        print('%d failed' % len(FAILED))
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())

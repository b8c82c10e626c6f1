#!/usr/bin/env python3
"""The Python dumper's header: "pid", "seq" (the process's dump number,
from 1) and "time", so that cycletool can order the dumps of one process
and tell dumps of different processes apart.

usage: test_dump_header.py CYCLETOOL SOURCE_ROOT

One Python process dumps twice, forks a child that dumps (its numbers
start again at 1), dumps on a signal and then from two threads at once;
`python3 -m cycletool_dump` dumps once.  Every dump loads, and the header
does not change what `cycletool scan --json` prints.
The binary is run as "$CT_WRAPPER CYCLETOOL ..." when CT_WRAPPER is set.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ctcheck  # noqa: E402
from ctcheck import check, run, failures  # noqa: E402


SCRIPT = r'''
import json, os, signal, sys, threading
import cycletool_dump

out = sys.argv[1]
cycletool_dump.dump(os.path.join(out, "a.jsonl"))
cycletool_dump.dump(os.path.join(out, "b.jsonl"))
child = os.fork()
if child == 0:
    try:
        cycletool_dump.dump(os.path.join(out, "child.jsonl"))
    finally:
        os._exit(0)
_, status = os.waitpid(child, 0)
# The signal handler's dumps are numbered with the others.
cycletool_dump.install_signal_handler(signal.SIGUSR1, os.path.join(out, "sig.jsonl"))
os.kill(os.getpid(), signal.SIGUSR1)
for _ in range(1000):        # the handler runs between bytecodes
    if os.path.exists(os.path.join(out, "sig.jsonl")):
        break
# Two threads at once: two numbers.
ts = [threading.Thread(target=cycletool_dump.dump, args=(os.path.join(out, n),))
      for n in ("t1.jsonl", "t2.jsonl")]
for t in ts:
    t.start()
for t in ts:
    t.join()
print(json.dumps({"pid": os.getpid(), "child": child, "status": status}))
'''






def header(path):
    with open(path, encoding='utf-8') as f:
        return json.loads(f.readline())


def check_header(name, h, pid, seq, t0, t1):
    check(name + ': cycletool_dump 3 with pid, seq, time', h.get('cycletool_dump') == 3 and
          all(k in h for k in ('pid', 'seq', 'time')), h)
    check(name + ': pid %d' % pid, h.get('pid') == pid, h.get('pid'))
    check(name + ': seq %d' % seq, h.get('seq') == seq and type(h.get('seq')) is int,
          h.get('seq'))
    t = h.get('time')
    check(name + ': time while it ran', isinstance(t, float) and t0 - 1 <= t <= t1 + 1,
          (t0, t, t1))


def same_scan(name, path, tmp):
    """scan --json is the same with and without pid, seq and time."""
    with open(path, encoding='utf-8') as f:
        lines = f.readlines()
    h = json.loads(lines[0])
    for k in ('pid', 'seq', 'time'):
        h.pop(k, None)
    bare = os.path.join(tmp, 'bare-' + os.path.basename(path))
    with open(bare, 'w', encoding='utf-8') as f:
        f.write(json.dumps(h) + '\n')
        f.writelines(lines[1:])
    rc1, out1, err1 = run(['scan', '--json', path])
    rc2, out2, err2 = run(['scan', '--json', bare])
    if not check(name + ': scan loads it', rc1 == 0 and rc2 == 0, err1 + err2):
        return
    d1, d2 = json.loads(out1), json.loads(out2)
    check(name + ': scan --json names the file', d1.pop('file') == path and
          d2.pop('file') == bare)
    check(name + ': scan --json otherwise unchanged by the header', d1 == d2 and d1['sccs'],
          (out1[:300], out2[:300]))


def main():
    ctcheck.EXE, root = sys.argv[1], os.path.abspath(sys.argv[2])
    env = dict(os.environ, PYTHONPATH=os.path.join(root, 'formats', 'python'))
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.time()
        p = subprocess.run([sys.executable, '-c', SCRIPT, tmp], env=env, capture_output=True,
                           timeout=600)
        t1 = time.time()
        if not check('the dumping script ran', p.returncode == 0, p.stderr.decode()):
            return 1
        info = json.loads(p.stdout)
        pid, child = info['pid'], info['child']
        check('the child dumped and exited 0', info['status'] == 0, info)
        a, b = header(os.path.join(tmp, 'a.jsonl')), header(os.path.join(tmp, 'b.jsonl'))
        check_header('first dump', a, pid, 1, t0, t1)
        check_header('second dump', b, pid, 2, t0, t1)
        check('second dump: time not before the first', b['time'] >= a['time'],
              (a['time'], b['time']))
        c = header(os.path.join(tmp, 'child.jsonl'))
        check('forked child: another pid', c.get('pid') == child and child != pid, (c, child))
        check_header('forked child', c, child, 1, t0, t1)
        check_header('signal handler dump', header(os.path.join(tmp, 'sig.jsonl')), pid, 3,
                     t0, t1)
        hs = [header(os.path.join(tmp, n)) for n in ('t1.jsonl', 't2.jsonl')]
        check('two threads: seq 4 and 5', sorted(h.get('seq') for h in hs) == [4, 5],
              [h.get('seq') for h in hs])
        check('two threads: the same pid', all(h.get('pid') == pid for h in hs), hs)

        # python3 -m cycletool_dump: one dump, the script's process, seq 1.
        script = os.path.join(tmp, 'app.py')
        with open(script, 'w') as f:
            f.write('import os\nprint(os.getpid())\n')
        out = os.path.join(tmp, 'm.jsonl')
        t0 = time.time()
        p = subprocess.run([sys.executable, '-m', 'cycletool_dump', '-o', out, '--', script],
                           env=env, capture_output=True, timeout=600)
        t1 = time.time()
        if check('python3 -m cycletool_dump ran', p.returncode == 0, p.stderr.decode()):
            check_header('python3 -m cycletool_dump', header(out), int(p.stdout), 1, t0, t1)

        same_scan('second dump', os.path.join(tmp, 'b.jsonl'), tmp)
        same_scan('forked child', os.path.join(tmp, 'child.jsonl'), tmp)
    print('%d failure(s)' % len(failures) if failures else 'all dump header tests passed')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())

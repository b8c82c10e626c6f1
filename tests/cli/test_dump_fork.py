#!/usr/bin/env python3
"""The Python dumper's fork mode: dump(path, fork=True),
install_signal_handler(..., fork=True) and python3 -m cycletool_dump --fork.

usage: test_dump_fork.py CYCLETOOL SOURCE_ROOT

Checks that the parent gets the child's pid back while the child still
works (heap of about 200,000 objects) and the file is not there yet; that
the file, whenever it exists, is complete (written under a temporary name
and renamed); that the header carries the parent's pid and dump number and
"forked": true; that `cycletool scan` finds the same garbage in a forked
dump as in a dump without fork of the same heap; that the child runs none
of the parent's atexit handlers, finally blocks or Python signal handlers
and does not flush the parent's stdio buffers again; and that a child
that cannot write (file size limit, a signal) exits non-zero and leaves no
temporary behind, and an unwritable directory is an OSError of the call.
The binary is run as "$CT_WRAPPER CYCLETOOL ..." when CT_WRAPPER is set.
"""
import json
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import time

failures = []


def check(name, cond, detail=''):
    print(('ok   ' if cond else 'FAIL ') + name + ('' if cond else ': ' + str(detail)[:800]))
    if not cond:
        failures.append(name)
    return cond


PRELUDE = r'''
import atexit, gc, json, os, signal, sys, time
import cycletool_dump
gc.disable()

class Node:
    def __init__(self, parent=None):
        self.parent = parent
        self.kids = []
        if parent is not None:
            parent.kids.append(self)

def tree(n):
    root = Node()
    for i in range(n):
        Node(root)
    return root

for i in range(300):
    tree(20)                         # garbage: 300 cycles of 21 nodes
alive = [tree(20) for i in range(50)]
bulk = [[i] for i in range(100000)]  # a heap of about 200,000 objects
out = sys.argv[1]
'''

# Same heap, a dump without fork then one with: same garbage; the parent
# returns while the child works; the file appears complete or not at all.
SAME = PRELUDE + r'''
cycletool_dump.dump(os.path.join(out, "plain.jsonl"))
path = os.path.join(out, "forked.jsonl")
t = time.perf_counter()
pid = cycletool_dump.dump(path, fork=True)
pause = time.perf_counter() - t
alive_after = os.waitpid(pid, os.WNOHANG)[0] == 0
there_after = os.path.exists(path)
incomplete = []
polls = 0
while True:
    done, status = os.waitpid(pid, os.WNOHANG)
    if os.path.exists(path):
        with open(path, "rb") as f:
            data = f.read()
        last = data.rstrip(b"\n").rsplit(b"\n", 1)[-1]
        if not (data.endswith(b"\n") and last.startswith(b'{"cycletool_dump_end"')):
            incomplete.append(len(data))
    polls += 1
    if done:
        break
    time.sleep(0.005)
third = cycletool_dump.dump(os.path.join(out, "third.jsonl"))
temps = [n for n in os.listdir(out) if ".tmp" in n]
print(json.dumps({"pid": os.getpid(), "child": pid, "pause": pause, "alive": alive_after,
                  "there": there_after, "status": status, "incomplete": incomplete,
                  "polls": polls, "temps": temps}))
'''

# The child runs no atexit handler, finally block or Python signal handler
# of the parent and flushes none of its buffers; SIGUSR2 stops it cleanly.
HYGIENE = PRELUDE + r'''
atexit.register(lambda: os.write(1, b"ATEXIT\n"))
signal.signal(signal.SIGUSR2, lambda s, f: os.write(1, b"HANDLER\n"))
sys.stdout.write("BUFFERED\n")      # a pipe: block-buffered, not flushed yet
try:
    pid = cycletool_dump.dump(os.path.join(out, "ok.jsonl"), fork=True)
finally:
    os.write(1, b"FINALLY\n")
_, status = os.waitpid(pid, 0)
os.write(1, ("STATUS %d\n" % status).encode())
try:
    pid = cycletool_dump.dump(os.path.join(out, "killed.jsonl"), fork=True)
finally:
    os.write(1, b"FINALLY\n")
time.sleep(0.3)                      # the child is dumping (some seconds)
os.kill(pid, signal.SIGUSR2)
_, status = os.waitpid(pid, 0)
os.write(1, ("KILLED %d %d\n" % (os.WIFEXITED(status), os.WEXITSTATUS(status))).encode())
# At once, before the child has its own handlers (the signals wait, blocked)
# and while it gathers the objects, before it opens the file.
for sig in (signal.SIGTERM, signal.SIGUSR2, signal.SIGINT):
    pid = cycletool_dump.dump(os.path.join(out, "early.jsonl"), fork=True)
    os.kill(pid, sig)
    _, status = os.waitpid(pid, 0)
    os.write(1, ("EARLY %d %d %d\n" % (sig, os.WIFEXITED(status),
                                       os.WEXITSTATUS(status))).encode())
'''

# Write failures: the child over a file size limit; an unwritable directory.
FAILURE = PRELUDE + r'''
import resource
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (65536, resource.RLIM_INFINITY))
pid = cycletool_dump.dump(os.path.join(out, "big.jsonl"), fork=True)
_, status = os.waitpid(pid, 0)
resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
try:
    cycletool_dump.dump("/proc/no-such-dir/x.jsonl", fork=True)
    raised = None
except OSError as e:
    raised = type(e).__name__
try:
    cycletool_dump.dump(sys.stdout, fork=True)
    typeerror = False
except TypeError:
    typeerror = True
print(json.dumps({"status": status, "raised": raised, "typeerror": typeerror,
                  "files": sorted(os.listdir(out))}))
'''

# install_signal_handler(fork=True): numbered with the process's dumps.
SIGNAL = PRELUDE + r'''
cycletool_dump.dump(os.path.join(out, "first.jsonl"))
cycletool_dump.install_signal_handler(signal.SIGUSR1, os.path.join(out, "sig-{n}.jsonl"),
                                      fork=True)
t = time.perf_counter()
os.kill(os.getpid(), signal.SIGUSR1)
for _ in range(100):                 # the handler runs between bytecodes
    pass
back = time.perf_counter() - t
kids = list(cycletool_dump._signal_state["children"])
deadline = time.time() + 300
def zombie(pid):                     # finished, not reaped yet (Linux)
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return False
while kids and not zombie(kids[0]) and time.time() < deadline:
    time.sleep(0.02)
os.kill(os.getpid(), signal.SIGUSR1)  # reaps the first child, forks a second
for _ in range(100):
    pass
kids2 = list(cycletool_dump._signal_state["children"])
for k in kids2:
    os.waitpid(k, 0)
print(json.dumps({"pid": os.getpid(), "kids": kids, "kids2": kids2, "back": back}))
'''


def run(args):
    wrapper = shlex.split(os.environ.get('CT_WRAPPER', ''))
    p = subprocess.run(wrapper + [EXE] + args, capture_output=True, timeout=900)
    return p.returncode, p.stdout.decode('utf-8'), p.stderr.decode('utf-8', 'replace')


def header(path):
    with open(path, encoding='utf-8') as f:
        return json.loads(f.readline())


def python(env, script, tmp):
    p = subprocess.run([sys.executable, '-c', script, tmp], env=env, capture_output=True,
                       timeout=900)
    return p.returncode, p.stdout.decode('utf-8', 'replace'), p.stderr.decode('utf-8', 'replace')


def scan_summary(path):
    rc, out, err = run(['scan', '--json', path])
    if rc != 0:
        return None, err
    return json.loads(out)['summary'], ''


def test_same(env):
    with tempfile.TemporaryDirectory() as tmp:
        rc, out, err = python(env, SAME, tmp)
        if not check('same heap: the script ran', rc == 0, err):
            return
        r = json.loads(out)
        print('     parent paused %.1f ms for the fork; polled %d times'
              % (r['pause'] * 1000, r['polls']))
        check('the child is still working when dump() returns', r['alive'], r)
        check('the file is not there when dump() returns', not r['there'], r)
        check('the file was never seen incomplete', not r['incomplete'], r['incomplete'])
        check('the child exited 0', r['status'] == 0, r['status'])
        check('no temporary is left', not r['temps'], r['temps'])
        plain = header(os.path.join(tmp, 'plain.jsonl'))
        forked = header(os.path.join(tmp, 'forked.jsonl'))
        third = header(os.path.join(tmp, 'third.jsonl'))
        check('forked header: the parent\'s pid', forked.get('pid') == r['pid'] != r['child'],
              (forked, r))
        check('forked header: the parent\'s seq (1, 2, 3)',
              (plain.get('seq'), forked.get('seq'), third.get('seq')) == (1, 2, 3),
              (plain, forked, third))
        check('forked header: "forked": true, absent without fork',
              forked.get('forked') is True and 'forked' not in plain, (plain, forked))
        a, ea = scan_summary(os.path.join(tmp, 'plain.jsonl'))
        b, eb = scan_summary(os.path.join(tmp, 'forked.jsonl'))
        if not check('scan loads both dumps', a is not None and b is not None, ea + eb):
            return
        check('the same garbage with and without fork (6300 Node objects and more)',
              a['garbage_objects'] == b['garbage_objects'] >= 6300 and
              a['garbage_sccs'] == b['garbage_sccs'] >= 300,
              (a, b))
        check('about the same number of objects (%d, %d)' % (a['objects'], b['objects']),
              abs(a['objects'] - b['objects']) < 0.02 * a['objects'], (a, b))


def test_hygiene(env):
    with tempfile.TemporaryDirectory() as tmp:
        rc, out, err = python(env, HYGIENE, tmp)
        if not check('hygiene: the script ran', rc == 0, err):
            return
        lines = out.splitlines()
        check('the parent\'s finally blocks ran once each, in the parent',
              lines.count('FINALLY') == 2, out)
        check('atexit ran once (in the parent)', lines.count('ATEXIT') == 1, out)
        check('the parent\'s stdout buffer was written once', lines.count('BUFFERED') == 1, out)
        check('the child ran no Python signal handler of the parent',
              'HANDLER' not in lines, out)
        check('a complete forked dump: status 0', 'STATUS 0' in lines, out)
        check('a child stopped by SIGUSR2 exits %d' % (128 + signal.SIGUSR2),
              'KILLED 1 %d' % (128 + signal.SIGUSR2) in lines, out)
        for sig in (signal.SIGTERM, signal.SIGUSR2, signal.SIGINT):
            check('a child given signal %d at once exits %d' % (sig, 128 + sig),
                  'EARLY %d 1 %d' % (sig, 128 + sig) in lines, out)
        left = sorted(os.listdir(tmp))
        check('the stopped children left no file and no temporary', left == ['ok.jsonl'], left)


def test_failure(env):
    with tempfile.TemporaryDirectory() as tmp:
        rc, out, err = python(env, FAILURE, tmp)
        if not check('failure: the script ran', rc == 0, err):
            return
        r = json.loads(out)
        check('a child that cannot write exits non-zero',
              os.WIFEXITED(r['status']) and os.WEXITSTATUS(r['status']) != 0, r)
        check('... and leaves no temporary and no file', r['files'] == [], r)
        msgs = [x for x in err.splitlines() if x.startswith('cycletool_dump: cannot write')]
        check('... and says so in one line on stderr', len(msgs) == 1 and
              err.strip() == msgs[0], err)
        check('an unwritable directory: OSError from dump() in the parent',
              r['raised'] is not None, r)
        check('a file object with fork=True: TypeError', r['typeerror'], r)


def test_signal(env):
    with tempfile.TemporaryDirectory() as tmp:
        rc, out, err = python(env, SIGNAL, tmp)
        if not check('signal handler: the script ran', rc == 0, err):
            return
        r = json.loads(out)
        h1 = header(os.path.join(tmp, 'sig-1.jsonl'))
        h2 = header(os.path.join(tmp, 'sig-2.jsonl'))
        check('install_signal_handler(fork=True) forked a child', len(r['kids']) == 1, r)
        check('signal dumps: the parent\'s pid, seq 2 and 3, forked',
              (h1.get('pid'), h1.get('seq'), h1.get('forked'), h2.get('pid'), h2.get('seq'),
               h2.get('forked')) == (r['pid'], 2, True, r['pid'], 3, True), (h1, h2, r))
        check('the handler reaped the finished child at its next call',
              len(r['kids2']) == 1 and r['kids2'][0] != r['kids'][0], r)
        left = sorted(os.listdir(tmp))
        check('signal dumps: no temporary left', left == ['first.jsonl', 'sig-1.jsonl',
                                                          'sig-2.jsonl'], left)


def test_main(env):
    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, 'app.py')
        with open(script, 'w') as f:
            f.write('import os, sys\nx = [[i] for i in range(50000)]\n'
                    'print(os.getpid())\nsys.exit(3)\n')
        out = os.path.join(tmp, 'm.jsonl')
        p = subprocess.run([sys.executable, '-m', 'cycletool_dump', '--fork', '-o', out, '--',
                            script], env=env, capture_output=True, timeout=600)
        check('-m --fork: the script\'s exit status', p.returncode == 3, p.stderr)
        ok = os.path.exists(out)
        check('-m --fork: the dump is complete when the process exits', ok, os.listdir(tmp))
        if ok:
            h = header(out)
            check('-m --fork: the script\'s pid, seq 1, forked',
                  (h.get('pid'), h.get('seq'), h.get('forked')) ==
                  (int(p.stdout), 1, True), h)
            rc, _, err = run(['scan', out])
            check('-m --fork: scan loads it', rc == 0, err)
        check('-m --fork: no temporary left', sorted(os.listdir(tmp)) == ['app.py', 'm.jsonl'],
              os.listdir(tmp))


def main():
    global EXE
    EXE, root = sys.argv[1], os.path.abspath(sys.argv[2])
    env = dict(os.environ, PYTHONPATH=os.path.join(root, 'formats', 'python'))
    env.pop('PYTHONUNBUFFERED', None)      # the hygiene test needs a buffered stdout
    for t in (test_same, test_hygiene, test_failure, test_signal, test_main):
        t0 = time.time()
        t(env)
        print('     (%s: %.1f s)' % (t.__name__, time.time() - t0))
    print('%d failure(s)' % len(failures) if failures else 'all fork mode tests passed')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())

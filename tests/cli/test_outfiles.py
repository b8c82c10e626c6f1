#!/usr/bin/env python3
"""Output files: -o FILE as cp and git write it, and standard output
checked once (cmd/output.c).  Every case runs in a scratch directory for
each writer that takes -o (render as dot, svg, png and txt; export):

  - a regular file is replaced atomically (a new inode) and keeps its
    mode; a new one gets 0666 less the umask;
  - a symlink (a relative chain of two, and a dangling one) is followed,
    its target replaced, the links left as they were;
  - a FIFO is written in place (read from a thread) and stays a FIFO;
    -o /dev/stdout writes to the pipe behind it;
  - a character device copied from /dev/null's and /dev/full's numbers
    (os.mknod, root only: skipped with a message otherwise) is written in
    place and never replaced; the /dev/full copy gives exit 4 and one line
    "cycletool: cannot write 'F': No space left on device";
  - a write that fails (RLIMIT_FSIZE: "File too large"), a failing
    command (no such object: exit 3), a read-only file or directory (not
    root) and a missing directory leave the old file as it was and no
    temporary behind;
  - standard output on /dev/full gives exit 4 and one line for every
    command.

usage: test_outfiles.py CYCLETOOL SOURCE_ROOT
The binary is run as "$CT_WRAPPER CYCLETOOL ..." when CT_WRAPPER is set.
CT_TEST_SMALL (valgrind, where each SVG or PNG render costs some 6 s of
processor in cairo's and pango's start-up): the SVG and PNG writers run
the cases where the writer itself writes or fails (a file replaced, a
FIFO, /dev/stdout, a /dev/full device, a write cut short, a failing
command); the cases that only cmd/output.c decides (umask, symlinks,
/dev/null, read-only and missing paths, a directory) run for the DOT,
text and export writers.  Without it every writer runs every case.
"""
import json
import os
import resource
import shlex
import signal
import stat
import subprocess
import sys
import tempfile
import threading

EXE, ROOT = sys.argv[1], sys.argv[2]
SMALL = bool(os.environ.get('CT_TEST_SMALL'))
# Writers whose start-up is slow under valgrind (see above).
SLOW = {'render-svg', 'render-png'}
DUMP = os.path.join(ROOT, 'tests', 'cli', 'cycles.jsonl')
FAILED = []

# Each writer that takes -o: (name, arguments before -o, check of the bytes).
WRITERS = [
    ('render-dot', ['render', '-T', 'dot'], lambda b: b.lstrip().startswith(b'digraph')),
    ('render-svg', ['render', '-T', 'svg'], lambda b: b'<svg' in b and b.rstrip().endswith(b'</svg>')),
    ('render-png', ['render', '-T', 'png'], lambda b: b.startswith(b'\x89PNG\r\n\x1a\n')),
    ('render-txt', ['render', '-T', 'txt'], lambda b: b'TreeNode' in b),
    ('export', ['export', '--representatives'],
     lambda b: all(json.loads(line) for line in b.decode().splitlines()) and len(b) > 0),
]


def check(ok, what):
    print(('ok   ' if ok else 'FAIL ') + what)
    if not ok:
        FAILED.append(what)


def run(args, stdout=subprocess.PIPE, limit=None):
    wrapper = shlex.split(os.environ.get('CT_WRAPPER', ''))

    def lower_limit():
        # Writes past `limit` bytes fail with EFBIG ("File too large").
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    p = subprocess.run(wrapper + [EXE] + args, stdout=stdout, stderr=subprocess.PIPE,
                       timeout=600, preexec_fn=lower_limit if limit else None)
    return p.returncode, p.stdout or b'', p.stderr.decode(errors='replace')


def one_line(err, line):
    return err == line + '\n'


def expected(args):
    rc, out, err = run(args + ['-o', '-', DUMP])
    assert rc == 0, (args, rc, err)
    return out


def link_of(path):
    """Where symlink path points, or None if it is not one."""
    return os.readlink(path) if os.path.islink(path) else None


def listing(d):
    return sorted(os.listdir(d))


def regular_files(tmp, name, args, good, want, output_only=True):
    d = tempfile.mkdtemp(dir=tmp)
    # A new file: mode 0666 less the umask.
    for mask in (0o022, 0o077) if output_only else ():
        f = os.path.join(d, 'new%o' % mask)
        old = os.umask(mask)
        try:
            rc, _, err = run(args + ['-o', f, DUMP])
        finally:
            os.umask(old)
        mode = stat.S_IMODE(os.stat(f).st_mode)
        check(rc == 0 and mode == 0o666 & ~mask and open(f, 'rb').read() == want,
              f'{name}: new file, umask {mask:03o}: mode {mode:o} (status {rc} {err!r})')
    # An existing file: replaced (a new inode, never half written) and
    # its mode kept.
    f = os.path.join(d, 'old')
    with open(f, 'wb') as fp:
        fp.write(b'old contents\n')
    os.chmod(f, 0o604)
    ino = os.stat(f).st_ino
    before = listing(d)
    rc, _, err = run(args + ['-o', f, DUMP])
    st = os.stat(f)
    check(rc == 0 and st.st_ino != ino and stat.S_IMODE(st.st_mode) == 0o604 and
          stat.S_ISREG(st.st_mode) and open(f, 'rb').read() == want and good(want),
          f'{name}: existing file replaced with a new inode, mode 604 kept (status {rc} {err!r})')
    check(listing(d) == before, f'{name}: no temporary left after success')


def symlinks(tmp, name, args, want):
    d = tempfile.mkdtemp(dir=tmp)
    os.mkdir(os.path.join(d, 'sub'))
    target = os.path.join(d, 'sub', 'target')
    with open(target, 'wb') as fp:
        fp.write(b'old\n')
    os.chmod(target, 0o640)
    # link2 -> link1 -> sub/target, both relative.
    os.symlink('sub/target', os.path.join(d, 'link1'))
    os.symlink('link1', os.path.join(d, 'link2'))
    before, sub_before = listing(d), listing(os.path.join(d, 'sub'))
    rc, _, err = run(args + ['-o', os.path.join(d, 'link2'), DUMP])
    check(rc == 0 and link_of(os.path.join(d, 'link2')) == 'link1' and
          link_of(os.path.join(d, 'link1')) == 'sub/target' and
          stat.S_ISREG(os.lstat(target).st_mode) and
          stat.S_IMODE(os.stat(target).st_mode) == 0o640 and open(target, 'rb').read() == want,
          f'{name}: symlink chain followed, links kept, target replaced (status {rc} {err!r})')
    check(listing(d) == before and listing(os.path.join(d, 'sub')) == sub_before,
          f'{name}: no temporary left beside the link or the target')
    # A dangling link: its target is created, the link stays.
    os.symlink('sub/made', os.path.join(d, 'dangling'))
    rc, _, err = run(args + ['-o', os.path.join(d, 'dangling'), DUMP])
    check(rc == 0 and os.path.islink(os.path.join(d, 'dangling')) and
          open(os.path.join(d, 'sub', 'made'), 'rb').read() == want,
          f'{name}: dangling symlink: target created, link kept (status {rc} {err!r})')


def fifo(tmp, name, args, want):
    d = tempfile.mkdtemp(dir=tmp)
    f = os.path.join(d, 'fifo')
    os.mkfifo(f)
    got = []

    def reader():
        with open(f, 'rb') as fp:
            got.append(fp.read())

    t = threading.Thread(target=reader)
    t.start()
    rc, _, err = run(args + ['-o', f, DUMP])
    t.join(60)
    check(rc == 0 and not t.is_alive() and got == [want] and
          stat.S_ISFIFO(os.lstat(f).st_mode) and listing(d) == ['fifo'],
          f'{name}: FIFO written in place and still a FIFO (status {rc} {err!r})')


def dev_stdout(name, args, want):
    """-o /dev/stdout: the pipe behind the /proc link, written in place."""
    rc, out, err = run(args + ['-o', '/dev/stdout', DUMP])
    check(rc == 0 and out == want, f'{name}: -o /dev/stdout onto a pipe (status {rc} {err!r})')


def devices(tmp, name, args, output_only=True):
    if os.geteuid() != 0:
        print(f'skip {name}: character devices: mknod needs root')
        return
    d = tempfile.mkdtemp(dir=tmp)
    for src, want_rc in (('/dev/null', 0), ('/dev/full', 4)) if output_only else \
            (('/dev/full', 4),):
        rdev = os.stat(src).st_rdev
        f = os.path.join(d, os.path.basename(src))
        try:
            os.mknod(f, 0o666 | stat.S_IFCHR, rdev)
            open(f, 'wb').close()
        except OSError as e:
            print(f'skip {name}: a copy of {src}: {e}')
            continue
        rc, _, err = run(args + ['-o', f, DUMP])
        st = os.lstat(f) if os.path.lexists(f) else None
        msg = f"cycletool: cannot write '{f}': No space left on device"
        check(rc == want_rc and st and stat.S_ISCHR(st.st_mode) and st.st_rdev == rdev and
              (one_line(err, msg) if want_rc else 'cannot write' not in err),
              f'{name}: device like {src} written in place, still that device '
              f'(status {rc} {err!r})')
    check(set(listing(d)) <= {'full', 'null'},
          f'{name}: no temporary left beside the devices: {listing(d)}')


def failures(tmp, name, args, output_only=True):
    d = tempfile.mkdtemp(dir=tmp)
    f = os.path.join(d, 'old')
    with open(f, 'wb') as fp:
        fp.write(b'old contents\n')
    os.chmod(f, 0o644)
    ino = os.stat(f).st_ino

    def unchanged(what, rc, err, want_rc, line=None):
        st = os.stat(f)
        check(rc == want_rc and st.st_ino == ino and open(f, 'rb').read() == b'old contents\n' and
              listing(d) == ['old'] and (line is None or one_line(err, line)),
              f'{name}: {what}: status {rc}, old file kept, no temporary ({err!r})')

    # The write fails half way (a 256-byte file size limit).
    rc, _, err = run(args + ['-o', f, DUMP], limit=256)
    unchanged('write fails (File too large)', rc, err, 4,
              f"cycletool: cannot write '{f}': File too large")
    # The command fails before writing: no such object.
    bad = (['render', '--object', '0x999999', '-T', args[2]] if args[0] == 'render'
           else ['export', '--root', '0x999999'])
    rc, _, err = run(bad + ['-o', f, DUMP])
    unchanged('no such object', rc, err, 3, f"cycletool: no object 0x999999 in '{DUMP}'")
    if not output_only:
        return
    # A file we may not write, a directory we may not write in.
    if os.geteuid() == 0:
        print(f'skip {name}: read-only file and directory: root writes anyway')
    else:
        os.chmod(f, 0o444)
        rc, _, err = run(args + ['-o', f, DUMP])
        os.chmod(f, 0o644)
        unchanged('read-only file', rc, err, 4, f"cycletool: cannot write '{f}': Permission denied")
        os.chmod(d, 0o555)
        try:
            rc, _, err = run(args + ['-o', f, DUMP])
        finally:
            os.chmod(d, 0o755)
        unchanged('read-only directory', rc, err, 4,
                  f"cycletool: cannot write '{f}': Permission denied")
    # A directory that is not there; a directory as the file.
    missing = os.path.join(d, 'nodir', 'out')
    rc, _, err = run(args + ['-o', missing, DUMP])
    unchanged('missing directory', rc, err, 4,
              f"cycletool: cannot write '{missing}': No such file or directory")
    rc, _, err = run(args + ['-o', d, DUMP])
    unchanged('a directory', rc, err, 4, f"cycletool: cannot write '{d}': Is a directory")


def full_stdout():
    """Every command, standard output on /dev/full: exit 4, one line."""
    line = 'cycletool: cannot write standard output: No space left on device'
    for args in (['scan', DUMP], ['scan', '--json', DUMP], ['top', DUMP], ['top', '--json', DUMP],
                 ['path', DUMP, '0x40'], ['path', '--json', DUMP, '0x40'],
                 ['render', DUMP], ['render', '-o', '-', DUMP], ['render', '-T', 'svg', DUMP],
                 ['render', '-T', 'png', '-o', '-', DUMP],
                 ['export', '--representatives', DUMP], ['export', '--scc', '1', '-o', '-', DUMP],
                 ['--help'], ['--version'], ['scan', '--help']):
        with open('/dev/full', 'wb') as full:
            rc, _, err = run(args, stdout=full)
        check(rc == 4 and one_line(err, line), f'stdout on /dev/full: {" ".join(args[:3])}: '
              f'status {rc} {err!r}')


def main():
    with tempfile.TemporaryDirectory() as tmp:
        for name, args, good in WRITERS:
            want = expected(args)
            check(good(want), f'{name}: the expected output looks right ({len(want)} bytes)')
            every = not (SMALL and name in SLOW)
            regular_files(tmp, name, args, good, want, every)
            if every:
                symlinks(tmp, name, args, want)
            fifo(tmp, name, args, want)
            dev_stdout(name, args, want)
            devices(tmp, name, args, every)
            failures(tmp, name, args, every)
        full_stdout()
    print(f'{len(FAILED)} failed' if FAILED else 'all ok')
    return 1 if FAILED else 0


if __name__ == '__main__':
    sys.exit(main())

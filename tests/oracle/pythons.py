#!/usr/bin/env python3
"""The dumper under every CPython on the machine, one minor version per call.

    pythons.py --version 3.9 --cycletool PATH    every scenario of oracle.py and
                                                 labels.py under each CPython 3.9
    pythons.py --version 3.7 --too-old           each CPython 3.7 must refuse, in
                                                 one line and exit status 2

Interpreters are looked for as python3.X (python for 2.7) in every PATH
directory, in /usr/bin and /usr/local/bin, and in pyenv's versions
($PYENV_ROOT, default ~/.pyenv: versions/3.X.*/bin/python3); each candidate
is asked for its real executable, version and implementation, so that a
pyenv shim, a symlink and the file it names count once and a shim whose
version is not installed counts not at all.  The interpreter running this
script is left out (the per-scenario oracle tests run under it already).

Exit status 0 when every interpreter found passed, 1 when one failed, 77
(meson's skip) with a line saying why when none was found, 2 on usage errors.
"""

import argparse
import glob
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DUMPER_DIR = os.path.normpath(os.path.join(HERE, "..", "..", "formats", "python"))
SKIP = 77

PROBE = ("import os, sys; print(os.path.realpath(sys.executable)); "
         "print('%d.%d.%d' % tuple(sys.version_info[:3])); "
         "print(getattr(getattr(sys, 'implementation', None), 'name', 'cpython'))")


def candidates(version):
    names = ["python" + version]
    if version.startswith("2."):
        names.append("python")
    else:
        names.append("python3")
    dirs = os.environ.get("PATH", "").split(os.pathsep) + ["/usr/bin", "/usr/local/bin"]
    out = []
    for d in dirs:
        if d:
            out.append(os.path.join(d, "python" + version))
    root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    for v in sorted(glob.glob(os.path.join(root, "versions", version + ".*"))):
        for n in names:
            out.append(os.path.join(v, "bin", n))
    return out


def find(version):
    """[(executable, full version)] of the CPythons of this minor version."""
    me = os.path.realpath(sys.executable)
    seen = {me}
    found = []
    for c in candidates(version):
        if not (os.path.isfile(c) and os.access(c, os.X_OK)):
            continue
        try:
            p = subprocess.run([c, "-c", PROBE], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, timeout=30,
                               universal_newlines=True)
        except (OSError, subprocess.TimeoutExpired):
            continue
        lines = p.stdout.split()
        if p.returncode != 0 or len(lines) != 3:
            continue
        exe, full, impl = lines
        if impl != "cpython" or not (full + ".").startswith(version + "."):
            continue
        if exe in seen:
            continue
        seen.add(exe)
        found.append((c, full))
    return found


def env_for_child():
    env = dict(os.environ)
    env["PYTHONPATH"] = DUMPER_DIR
    for k in ("PYTHONSTARTUP", "PYTHONHOME"):
        env.pop(k, None)
    return env


def run_supported(py, full, cycletool):
    """Every oracle scenario and labels.py under py: the number that failed."""
    oracle = os.path.join(HERE, "oracle.py")
    scen = subprocess.run([sys.executable, oracle, "--list"], stdout=subprocess.PIPE,
                          universal_newlines=True, check=True).stdout.split()
    bad = 0
    for s in scen:
        p = subprocess.run([sys.executable, oracle, "--cycletool", cycletool,
                            "--scenario", s, "--python", py],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           universal_newlines=True)
        last = p.stdout.strip().splitlines()[-1:] or ["(no output)"]
        if p.returncode == 0:
            print("%s (%s): %s" % (py, full, last[0]))
        else:
            bad += 1
            print("%s (%s): scenario '%s' FAILED (status %d):\n%s" % (
                py, full, s, p.returncode, p.stdout))
    p = subprocess.run([py, os.path.join(HERE, "labels.py")], env=env_for_child(),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True)
    if p.returncode == 0:
        print("%s (%s): labels: %s" % (py, full, p.stdout.strip().splitlines()[-1]))
    else:
        bad += 1
        print("%s (%s): labels FAILED (status %d):\n%s" % (py, full, p.returncode, p.stdout))
    return bad


def run_too_old(py, full):
    """py must refuse the dumper in one line: the number of failures."""
    want = "cycletool_dump: Python 3.8 or newer is needed, this is %s" % full
    bad = 0
    tmp = os.path.join(os.environ.get("TMPDIR", "/tmp"), "old-python-%d.jsonl" % os.getpid())
    script = os.path.join(HERE, "labels.py")
    for how, cmd in (("-m", [py, "-m", "cycletool_dump", "-o", tmp, "--", script]),
                     ("import", [py, "-c", "import cycletool_dump"])):
        p = subprocess.run(cmd, env=env_for_child(), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, universal_newlines=True)
        err = p.stderr.splitlines()
        if how == "-m":
            ok = p.returncode == 2 and err == [want] and p.stdout == ""
        else:
            ok = p.returncode != 0 and err[-1:] == ["ImportError: " + want]
        print("%s %s (%s): status %d, stderr %r: %s" % (
            py, how, full, p.returncode, p.stderr, "ok" if ok else "FAILED"))
        if not ok:
            bad += 1
    if os.path.exists(tmp):
        print("%s: a dump was written: FAILED" % py)
        os.unlink(tmp)
        bad += 1
    return bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--version", required=True, help="minor version, e.g. 3.9")
    ap.add_argument("--cycletool", help="the cycletool binary (supported versions)")
    ap.add_argument("--too-old", action="store_true",
                    help="the version is older than the dumper supports")
    args = ap.parse_args()
    if not args.too_old and not args.cycletool:
        ap.error("--cycletool is needed for a supported version")
    found = find(args.version)
    if not found:
        print("skip: no CPython %s found other than %s (looked in PATH, /usr/bin, "
              "/usr/local/bin and pyenv's versions)" % (args.version, sys.executable))
        return SKIP
    bad = 0
    for py, full in found:
        if args.too_old:
            bad += run_too_old(py, full)
        else:
            bad += run_supported(py, full, args.cycletool)
    print("%d interpreter(s), %d failure(s)" % (len(found), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

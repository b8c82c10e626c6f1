"""The heap and the timed runs of bench/dump_speed.sh (issue 13 part 5).

Builds a realistic heap in this process, bench/stdlib_workload.py's:
xml.dom.minidom documents (half of them kept, half dropped without
unlink(), so that they stay as garbage cycles: the collector is disabled
first), with logging, asyncio and email imported and used.  Then times, on that same heap and alternating, a naive
dumper (below: address, type, size and refs of every gc.get_objects() entry
as JSON lines) and cycletool_dump.dump(), and the pause of
cycletool_dump.dump(fork=True).  Prints one line per run and a summary as
key=value lines on stdout.

    PYTHONPATH=formats/python python3 bench/dump_speed_heap.py OUTDIR [OBJECTS [RUNS]]

OBJECTS: gc-tracked objects to build (default 2700000); RUNS default 3.
Environment HEAP=service builds bench/workload.py's heap instead (request
trees dropped as garbage cycles, a cache of records, sessions with handler
closures, self-referencing dicts: many small instances, dicts and lists).
Memory: peak RSS (VmHWM, reset through /proc/self/clear_refs before each
run) minus RSS before the run, divided by the objects the dump wrote; the
largest over the runs (later runs can reuse memory freed by earlier ones).
"""
import gc

gc.disable()

import json
import os
import sys
import time

import cycletool_dump

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stdlib_workload  # noqa: E402
import workload  # noqa: E402

def naive(path):
    """The peer: address/type/size/refs of gc.get_objects() as JSON lines."""
    objs = gc.get_objects()
    with open(path, "w", buffering=1 << 20) as f:
        w = f.write
        dumps = json.dumps
        for o in objs:
            w(dumps({"address": id(o), "type": type(o).__qualname__,
                     "size": sys.getsizeof(o),
                     "refs": [id(r) for r in gc.get_referents(o)]}) + "\n")
    return len(objs)


def rss_kib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def timed(fn, path):
    ok = reset_peak()
    before = rss_kib("VmRSS")
    c0 = time.process_time()
    t0 = time.perf_counter()
    n = fn(path)
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0
    peak = rss_kib("VmHWM") if ok else 0
    return wall, n, max(0, peak - before) * 1024, os.path.getsize(path), cpu


def main():
    outdir = sys.argv[1]
    target = int(sys.argv[2]) if len(sys.argv) > 2 else 2700000
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    t0 = time.perf_counter()
    if os.environ.get("HEAP", "minidom") == "service":
        workload.build(target / 400000.0)
    else:
        stdlib_workload.build(target)
    tracked = len(gc.get_objects())
    print("# heap: %d gc-tracked objects, built in %.1f s"
          % (tracked, time.perf_counter() - t0), flush=True)
    npath = os.path.join(outdir, "naive.jsonl")
    cpath = os.path.join(outdir, "cycletool.jsonl")
    fpath = os.path.join(outdir, "fork.jsonl")
    res = {"naive": [], "cycletool": [], "pause": []}
    for r in range(runs):
        for name, fn, path in (("naive", naive, npath),
                               ("cycletool", cycletool_dump.dump, cpath)):
            wall, n, extra, size, cpu = timed(fn, path)
            res[name].append((wall, n, extra, size, cpu))
            print("# run %d %-9s %7.2f s (CPU %6.2f s)  %8d lines  %6.1f B/object extra  %5.0f MB"
                  % (r + 1, name, wall, cpu, n, extra / max(n, 1), size / 1e6), flush=True)
        t = time.perf_counter()
        child = cycletool_dump.dump(fpath, fork=True)
        pause = time.perf_counter() - t
        _, status = os.waitpid(child, 0)
        res["pause"].append(pause)
        print("# run %d fork pause %.1f ms (child status %d)"
              % (r + 1, pause * 1000, status), flush=True)

    def med(xs):
        xs = sorted(xs)
        return xs[len(xs) // 2]
    nt = med([x[0] for x in res["naive"]])
    ct = med([x[0] for x in res["cycletool"]])
    cn = res["cycletool"][0][1]
    print("tracked=%d" % tracked)
    print("lines=%d" % cn)
    print("naive_s=%.2f" % nt)
    print("cycletool_s=%.2f" % ct)
    print("ratio=%.2f" % (ct / nt))
    # CPU time of this process (a fork child's is not counted): the ratio
    # to trust when other work shares the machine.
    ncpu = med([x[4] for x in res["naive"]])
    ccpu = med([x[4] for x in res["cycletool"]])
    print("naive_cpu_s=%.2f" % ncpu)
    print("cycletool_cpu_s=%.2f" % ccpu)
    print("cpu_ratio=%.2f" % (ccpu / ncpu))
    # Memory: the largest growth over the runs (a later run can reuse
    # memory an earlier one freed without RSS growing: the first run is
    # usually the largest and the true one).
    print("naive_bytes_per_object=%.1f" % (max([x[2] for x in res["naive"]]) / tracked))
    print("bytes_per_object=%.1f" % (max([x[2] for x in res["cycletool"]]) / cn))
    print("fork_pause_ms=%.1f" % (med(res["pause"]) * 1000))
    print("dump_mb=%.0f" % (res["cycletool"][0][3] / 1e6))


main()

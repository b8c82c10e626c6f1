#!/usr/bin/env python3
"""CPython-oracle test: cycletool's replay of the collector must agree with
the collector itself.

For one scenario (see scenarios.py), a fresh python3 process disables the
collector, collects once, builds the scenario, dumps its heap with
cycletool_dump.dump(), then runs gc.collect() with gc.DEBUG_SAVEALL and
records hex(id(o)) for every o in gc.garbage.  Nothing runs between the dump
and the collection.  This script then runs `cycletool scan --json --members`
on the dump and checks:

  - its "garbage" array equals the gc.garbage set exactly;
  - every SCC with garbage=true has all members in the gc set, every SCC
    with garbage=false none; finalizers=true iff a member's type defines
    __del__;
  - the scenario's own expectations (so that agreement on two empty sets, or
    on the wrong heap, cannot pass).

    oracle.py --cycletool PATH --scenario NAME
    oracle.py --replay-self --scenario NAME    (no binary: a small Python
                                                replay stands in for scan)
    oracle.py --list

Exit status 0 on success, 1 on a mismatch, 2 on a usage or setup error.
"""

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
DUMPER_DIR = os.path.normpath(os.path.join(HERE, "..", "..", "formats", "python"))


# -- the child process --------------------------------------------------------

def child(name, dump_path, result_path):
    import gc
    sys.path.insert(0, HERE)
    import scenarios
    import cycletool_dump
    fn = scenarios.SCENARIOS[name]
    if os.environ.get("CT_ORACLE_ID_SET"):
        # The dumper's other way: a set of every listed object's id, as when
        # other threads run or objects are frozen (_listing_is_complete).
        cycletool_dump._listing_is_complete = lambda: False
    gc.disable()
    gc.collect()
    keep, expect = fn()
    cycletool_dump.dump(dump_path)
    gc.set_debug(gc.DEBUG_SAVEALL)
    gc.collect()
    gc.set_debug(0)
    garbage = {}
    for o in gc.garbage:
        garbage[hex(id(o))] = type(o).__qualname__
    # Finalizers run by the collector (generator close(), an event loop's
    # __del__...) can break a garbage cycle; its objects are then freed by
    # reference counting and never reach gc.garbage, though the collector
    # found them unreachable all the same.  Record which dumped objects no
    # longer exist; check() decides which of them were freed that way.
    live = {}
    for o in gc.get_objects():
        live[id(o)] = type(o).__qualname__
    o = None
    missing = {}
    with open(dump_path, encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            if "address" not in rec or not rec.get("gc", True):
                continue
            if live.get(rec["address"]) != rec["type"]:
                missing[hex(rec["address"])] = rec["type"]
    result = {"garbage": garbage, "missing": missing, "expect": expect}
    with open(result_path, "w") as f:
        json.dump(result, f)
    return 0


# -- a reference replay, for --replay-self -----------------------------------

def load_dump(path):
    objs = {}
    header = trailer = None
    with open(path, encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            if "cycletool_dump" in rec:
                header = rec
            elif "cycletool_dump_end" in rec:
                trailer = rec
            elif "cycletool_site" in rec:
                continue
            else:
                if rec["address"] in objs:
                    raise ValueError("duplicate address %d" % rec["address"])
                objs[rec["address"]] = rec
    if header is None or trailer is None:
        raise ValueError("no header or trailer")
    if trailer["objects"] != len(objs):
        raise ValueError("trailer says %d objects, found %d" % (trailer["objects"], len(objs)))
    for a, rec in objs.items():
        for r in rec["refs"] + rec.get("weak", []):
            if r not in objs:
                raise ValueError("dangling reference %d -> %d" % (a, r))
        if "labels" in rec and len(rec["labels"]) != len(rec["refs"]):
            raise ValueError("labels and refs differ in length at %d" % a)
    return objs


def replay(objs):
    """The collector's rule: the set of garbage addresses."""
    tracked = {a for a, r in objs.items() if r.get("gc", True)}
    gc_refs = {a: objs[a]["refcount"] for a in tracked}
    for a in tracked:
        for r in objs[a]["refs"]:
            if r in tracked:
                gc_refs[r] -= 1
    alive = set()
    stack = [a for a in tracked if gc_refs[a] > 0]
    alive.update(stack)
    while stack:
        a = stack.pop()
        for r in objs[a]["refs"]:
            if r in tracked and r not in alive:
                alive.add(r)
                stack.append(r)
    return tracked - alive


def sccs(objs):
    """Cyclic strongly connected components (iterative Tarjan)."""
    index = {}
    low = {}
    on = set()
    st = []
    out = []
    counter = 0
    for start in objs:
        if start in index:
            continue
        work = [(start, 0)]
        while work:
            v, i = work.pop()
            if i == 0:
                index[v] = low[v] = counter
                counter += 1
                st.append(v)
                on.add(v)
            refs = objs[v]["refs"]
            recurse = False
            while i < len(refs):
                w = refs[i]
                i += 1
                if w not in index:
                    work.append((v, i))
                    work.append((w, 0))
                    recurse = True
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            if recurse:
                continue
            if low[v] == index[v]:
                comp = []
                while True:
                    w = st.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1 or v in objs[v]["refs"]:
                    out.append(comp)
            if work:
                u = work[-1][0]
                low[u] = min(low[u], low[v])
    return out


def replay_self(dump_path):
    objs = load_dump(dump_path)
    garbage = replay(objs)
    res = []
    for n, comp in enumerate(sorted(sccs(objs), key=len, reverse=True)):
        types = sorted({objs[a]["type"] for a in comp})
        res.append({
            "id": n + 1,
            "size": len(comp),
            "bytes": sum(objs[a]["size"] for a in comp),
            "garbage": all(a in garbage for a in comp),
            "finalizers": any(objs[a].get("finalizer") for a in comp),
            "signature": "+".join(types),
            "members": ["0x%x" % a for a in comp],
        })
    return {"sccs": res, "garbage": sorted("0x%x" % a for a in garbage)}


# -- the comparison -----------------------------------------------------------

def freed_by_finalizers(objs, gcset, missing):
    """The dumped objects freed during the collection (not in gc.garbage).

    An object that is no longer tracked after the collection was freed --
    unless it is a tuple or dict, which the collector itself untracks when
    they hold only untracked objects, or a weak reference, which a callback
    may have removed from a live container (WeakSet, WeakValueDictionary).
    Those count as freed only when everything that referred to them was
    garbage (their whole reference count came from garbage objects).
    """
    def indirect(a, t):
        return t in ("tuple", "dict") or "weak" in objs[int(a, 16)]
    freed = {a: t for a, t in missing.items() if not indirect(a, t)}
    maybe = {int(a, 16): a for a, t in missing.items() if indirect(a, t)}
    if not maybe:
        return freed
    dead = set(int(a, 16) for a in gcset) | set(int(a, 16) for a in freed)
    changed = True
    while changed:
        changed = False
        from_dead = {a: 0 for a in maybe}
        for a, rec in objs.items():
            if a in dead:
                for r in rec["refs"]:
                    if r in from_dead:
                        from_dead[r] += 1
        for a, h in list(maybe.items()):
            if from_dead[a] >= objs[a]["refcount"]:
                freed[h] = objs[a]["type"]
                dead.add(a)
                del maybe[a]
                changed = True
    return freed


def check(dump_path, scan, result):
    errors = []
    objs = load_dump(dump_path)
    types = {"0x%x" % a: r["type"] for a, r in objs.items()}
    fin = {"0x%x" % a: bool(r.get("finalizer")) for a, r in objs.items()}
    gcset = set(result["garbage"])
    result["freed"] = freed_by_finalizers(objs, gcset, result["missing"])
    gcset |= set(result["freed"])
    for a, t in result["garbage"].items():
        types.setdefault(a, t)

    def norm(a):
        return "0x%x" % int(a, 16)

    if "garbage" not in scan:
        errors.append('scan output has no "garbage" array (is --members supported?)')
        ours = set()
    else:
        ours = {norm(a) for a in scan["garbage"]}
    missing = sorted(gcset - ours)
    extra = sorted(ours - gcset)
    if missing or extra:
        errors.append("garbage differs from gc.garbage: %d only in gc.garbage, %d only in "
                      "cycletool's (%d freed by finalizers during the collection count as "
                      "gc.garbage)" % (len(missing), len(extra), len(result["freed"])))
        for a in missing[:40]:
            errors.append("  - %s %s (gc: garbage, cycletool: alive)" % (a, types.get(a, "?")))
        for a in extra[:40]:
            errors.append("  + %s %s (gc: alive, cycletool: garbage)" % (a, types.get(a, "?")))
    for s in scan.get("sccs", []):
        members = [norm(a) for a in s.get("members", [])]
        if not members:
            errors.append("scc %s has no members (is --members supported?)" % s.get("id"))
            continue
        ing = [a in gcset for a in members]
        if s["garbage"] and not all(ing):
            bad = [a for a in members if a not in gcset][:5]
            errors.append("scc %s is garbage but members are alive per gc: %s" % (
                s["id"], ", ".join("%s %s" % (a, types.get(a, "?")) for a in bad)))
        if not s["garbage"] and any(ing):
            bad = [a for a in members if a in gcset][:5]
            errors.append("scc %s is alive but members are garbage per gc: %s" % (
                s["id"], ", ".join("%s %s" % (a, types.get(a, "?")) for a in bad)))
        want_fin = any(fin.get(a, False) for a in members)
        if bool(s["finalizers"]) != want_fin:
            errors.append("scc %s: finalizers=%s but members' types %s __del__" % (
                s["id"], s["finalizers"], "define" if want_fin else "do not define"))
    # The scenario's own expectations.
    garbage_sccs = [s for s in scan.get("sccs", []) if s["garbage"]]
    alive_sccs = [s for s in scan.get("sccs", []) if not s["garbage"]]

    def count(sccs, tname):
        return sum(1 for s in sccs if any(types.get(norm(a)) == tname for a in s["members"]))

    for e in result["expect"]:
        kind = e[0]
        if kind == "garbage_sccs":
            n = count(garbage_sccs, e[1])
        elif kind == "alive_sccs":
            n = count(alive_sccs, e[1])
        elif kind == "finalizer_sccs":
            n = count([s for s in garbage_sccs if s["finalizers"]], e[1])
        elif kind == "no_garbage":
            n = sum(1 for a in gcset if types.get(a) == e[1])
            if n:
                errors.append("expected no garbage %s, gc.garbage has %d" % (e[1], n))
            continue
        elif kind == "weak_edges":
            n = sum(1 for r in objs.values() if r.get("weak"))
            if n < e[1]:
                errors.append("expected >= %d objects with weak refs, dump has %d" % (e[1], n))
            continue
        elif kind == "gc_garbage":
            if len(gcset) < e[1]:
                errors.append("expected gc.garbage >= %d objects, got %d" % (e[1], len(gcset)))
            continue
        else:
            errors.append("unknown expectation %r" % (e,))
            continue
        if n < e[2]:
            errors.append("expected >= %d %s SCCs containing %s, got %d" % (
                e[2], kind.split("_")[0], e[1], n))
    if not gcset:
        errors.append("gc.garbage is empty: every scenario leaves garbage")
    return errors


def run(args):
    sys.path.insert(0, HERE)
    import scenarios
    if args.scenario not in scenarios.SCENARIOS:
        print("oracle: unknown scenario '%s' (try --list)" % args.scenario, file=sys.stderr)
        return 2
    tmp = tempfile.mkdtemp(prefix="oracle-%s-" % args.scenario)
    dump_path = os.path.join(tmp, args.scenario + ".jsonl")
    result_path = os.path.join(tmp, "gc.json")
    env = dict(os.environ)
    env["PYTHONPATH"] = DUMPER_DIR + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.pop("PYTHONSTARTUP", None)
    p = subprocess.run([args.python, os.path.abspath(__file__), "--child", args.scenario,
                        dump_path, result_path], env=env)
    if p.returncode != 0:
        print("oracle: scenario '%s' failed in the child (status %d)" % (args.scenario, p.returncode),
              file=sys.stderr)
        return 1
    with open(result_path) as f:
        result = json.load(f)
    try:
        if args.replay_self:
            scan = replay_self(dump_path)
        else:
            # CT_WRAPPER (e.g. valgrind, from the valgrind_cli test setup)
            # runs cycletool under a checker.
            wrapper = shlex.split(os.environ.get("CT_WRAPPER", ""))
            p = subprocess.run(wrapper + [args.cycletool, "scan", "--json", "--members", dump_path],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            if p.returncode != 0:
                print("oracle: '%s scan --json --members %s' exited with %d:\n%s" % (
                    args.cycletool, dump_path, p.returncode, p.stderr.decode(errors="replace")),
                    file=sys.stderr)
                return 1
            scan = json.loads(p.stdout)
        errors = check(dump_path, scan, result)
    except (ValueError, KeyError, TypeError) as e:
        errors = ["cannot check: %s: %s" % (type(e).__name__, e)]
    if errors:
        print("oracle: scenario '%s': MISMATCH (dump kept in %s)" % (args.scenario, tmp))
        for e in errors:
            print("  " + e)
        return 1
    n_g = sum(1 for s in scan["sccs"] if s["garbage"])
    print("oracle: scenario '%s': ok (%d gc.garbage objects, %d freed by finalizers, "
          "%d garbage SCCs, %d live SCCs)" % (args.scenario, len(result["garbage"]),
                                              len(result["freed"]), n_g, len(scan["sccs"]) - n_g))
    if not args.keep:
        for fn in os.listdir(tmp):
            os.unlink(os.path.join(tmp, fn))
        os.rmdir(tmp)
    return 0


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        return child(sys.argv[2], sys.argv[3], sys.argv[4])
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cycletool", help="path to the cycletool binary")
    ap.add_argument("--scenario", help="scenario to run")
    ap.add_argument("--list", action="store_true", help="list the scenarios")
    ap.add_argument("--replay-self", action="store_true",
                    help="check the dumper against a Python replay instead of cycletool")
    ap.add_argument("--python", default=sys.executable, help="interpreter for the child")
    ap.add_argument("--keep", action="store_true", help="keep the dump")
    args = ap.parse_args()
    if args.list:
        sys.path.insert(0, HERE)
        import scenarios
        print("\n".join(scenarios.SCENARIOS))
        return 0
    if not args.scenario or not (args.cycletool or args.replay_self):
        ap.print_usage(sys.stderr)
        print("oracle: need --scenario and --cycletool (or --replay-self)", file=sys.stderr)
        return 2
    return run(args)


if __name__ == "__main__":
    sys.exit(main())

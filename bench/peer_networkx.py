"""The networkx peer of `cycletool scan --json`, for the benchmark.

Does the same work on a cycletool Python dump (JSON lines) in plain,
idiomatic networkx: load the strong references into a MultiDiGraph, find the
strongly connected components, replay the cycle collector to tell garbage
from alive, measure every cyclic component and group the components by
their type histogram.  Prints one JSON document whose "summary" uses the
same field names as cycletool's.

    python3 bench/peer_networkx.py DUMP > out.json
"""

import json
import sys
from collections import Counter, deque

import networkx as nx


def load(path):
    """Read a dump into a MultiDiGraph (one edge per entry of "refs")."""
    G = nx.MultiDiGraph()
    declared = None
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            rec = json.loads(line)
            if "cycletool_dump" in rec:
                continue
            if "cycletool_dump_end" in rec:
                declared = rec.get("objects")
                continue
            addr = rec["address"]
            G.add_node(addr, type=rec["type"], size=rec["size"],
                       tracked=rec.get("gc", True), refcount=rec.get("refcount"))
            G.add_edges_from((addr, ref) for ref in rec["refs"])
    if declared is not None and declared != G.number_of_nodes():
        sys.exit("peer: trailer says %d objects, found %d" % (declared, G.number_of_nodes()))
    missing = [v for v, t in G.nodes(data="type") if t is None]
    if missing:
        sys.exit("peer: %d references to objects not in the dump" % len(missing))
    return G


def garbage_replay(G):
    """Return (tracked, roots, alive) the way CPython's collector decides.

    gc_refs = refcount - references from tracked objects; tracked objects with
    gc_refs > 0 are held from outside the heap (roots); everything reachable
    from a root is alive; tracked objects that are not alive are garbage.
    Without refcounts, objects nothing refers to are the roots.
    """
    tracked = [v for v, t in G.nodes(data="tracked") if t]
    internal = Counter(dst for _, dst in G.out_edges(tracked))
    refcount = G.nodes(data="refcount")
    if all(refcount[v] is not None for v in tracked):
        roots = [v for v in tracked if refcount[v] - internal[v] > 0]
    else:
        roots = [v for v in G if G.in_degree(v) == 0]
    alive = set(roots)
    queue = deque(roots)
    while queue:
        v = queue.popleft()
        for w in G.successors(v):
            if w not in alive:
                alive.add(w)
                queue.append(w)
    return tracked, roots, alive


def main(argv):
    if len(argv) != 2:
        sys.exit("usage: peer_networkx.py DUMP")
    G = load(argv[1])
    tracked, roots, alive = garbage_replay(G)
    garbage = {v for v in tracked if v not in alive}
    types = G.nodes(data="type")
    sizes = G.nodes(data="size")

    sccs = []
    for comp in nx.strongly_connected_components(G):
        if len(comp) == 1:
            (v,) = comp
            if not G.has_edge(v, v):
                continue
        sccs.append({
            "size": len(comp),
            "bytes": sum(sizes[v] for v in comp),
            "garbage": all(v in garbage for v in comp),
            "types": Counter(types[v] for v in comp),
        })
    sccs.sort(key=lambda s: (-s["bytes"], -s["size"]))

    groups = {}
    for i, s in enumerate(sccs, 1):
        s["id"] = i
        key = tuple(sorted(s["types"].items()))
        g = groups.setdefault(key, {"types": dict(s["types"]), "count": 0, "garbage": 0,
                                    "objects": 0, "bytes": 0})
        g["count"] += 1
        g["garbage"] += s["garbage"]
        g["objects"] += s["size"]
        g["bytes"] += s["bytes"]

    summary = {
        "objects": G.number_of_nodes(),
        "references": G.number_of_edges(),
        "tracked": len(tracked),
        "roots": len(roots),
        "garbage_objects": len(garbage),
        "garbage_bytes": sum(sizes[v] for v in garbage),
        "cyclic_sccs": len(sccs),
        "garbage_sccs": sum(s["garbage"] for s in sccs),
        "cyclic_objects": sum(s["size"] for s in sccs),
        "cyclic_bytes": sum(s["bytes"] for s in sccs),
    }
    out = {
        "summary": summary,
        "groups": sorted(groups.values(), key=lambda g: -g["bytes"]),
        "sccs": [{"id": s["id"], "size": s["size"], "bytes": s["bytes"],
                  "garbage": s["garbage"], "types": dict(s["types"])} for s in sccs],
    }
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv)

#!/usr/bin/env python3
"""CLI tests of `cycletool export` and of reading its output back.

usage: test_export.py CYCLETOOL TESTDATA_DIR [NODE]
The binary is run as "$CT_WRAPPER CYCLETOOL ..." when CT_WRAPPER is set.

- random Python-format dumps with nasty labels (dict keys made by Python's
  own repr()), exported in each style with --address: an independent
  resolver (resolve.js, run by NODE) restores object identity and must find
  exactly the dump's reachable edges, under the key spelling of
  cycletool(1) decoded here in Python, and the dump's cycles; the refjson
  import must scan to the same cycles and export to the same text again;
- every SCC of the bundled testdata dumps: the same checks, valid JSON
  (python3 -m json.tool), and o.children[i].parent === o;
- every document is read by a strict parser that rejects a member name
  given twice in one object; "wide" random dumps (objects with 33-150
  references sharing a few colliding labels) check that names are unique;
- runtime objects (classes, functions, modules; V8 closures, code, system
  objects) are leaves marked "$runtime" by default, followed with
  --follow-runtime; the walk from a TreeNode stays small;
- --depth, --representatives, usage errors and malformed $ref JSON (exit 3).
Every export of a batch (the random dumps, the wide ones, one bundled dump)
is resolved by one node process (resolve.js --each).  CT_TEST_SMALL
(valgrind): 15 random and 4 wide dumps instead of 60 and 40, and of each
bundled dump's first 8 SCCs one per signature (2 to 4) instead of all 8,
each exported in one style (the three in turn) instead of all three.
"""
import json
import os
import random
import re
import shlex
import subprocess
import sys
import tempfile

EXE, TESTDATA = sys.argv[1], sys.argv[2]
NODE = sys.argv[3] if len(sys.argv) > 3 else None
SMALL = bool(os.environ.get('CT_TEST_SMALL'))
STYLES = ['jsonpath', 'pointer', 'id']
failures = []
TMP = tempfile.mkdtemp(prefix='ct-export-')


def check(name, ok, detail=''):
    if ok:
        print(f'ok   {name}')
    else:
        failures.append(name)
        print(f'FAIL {name} {detail}'[:2000])
    return ok


def run(args, stdin=None):
    wrapper = shlex.split(os.environ.get('CT_WRAPPER', ''))
    p = subprocess.run(wrapper + [EXE] + args, input=stdin, capture_output=True, timeout=600)
    return p.returncode, p.stdout.decode('utf-8'), p.stderr.decode('utf-8', 'replace')


def tmp(name, text=None):
    path = os.path.join(TMP, name)
    if text is not None:
        with open(path, 'w', encoding='utf-8') as f:
            f.write(text)
    return path


def strict_loads(text):
    """json.loads that fails on a member name given twice in one object."""
    def hook(pairs):
        seen = set()
        for k, _ in pairs:
            if k in seen:
                raise ValueError(f'member name {k!r} given twice')
            seen.add(k)
        return dict(pairs)
    return json.loads(text, object_pairs_hook=hook)


def strict_lines(text):
    """Each non-empty line strictly parsed; None and the error if one fails."""
    try:
        return [strict_loads(x) for x in text.split('\n') if x], ''
    except ValueError as e:
        return None, str(e)


# What export stops at in a Python dump, as cycletool(1) documents it; the
# random dumps use the first few types.
RUNTIME = ['type', 'function', 'module', 'code', 'builtin_function_or_method',
           'method_descriptor', 'classmethod_descriptor', 'wrapper_descriptor', 'method-wrapper',
           'getset_descriptor', 'member_descriptor', 'mappingproxy', 'ABCMeta', 'EnumMeta',
           'EnumType', 'classobj']


def is_runtime(o):
    labels = set(o.get('labels') or [])
    return (o['type'] in RUNTIME or bool(labels & {'.__mro__', '.__bases__', '.__base__'}) or
            (o['type'] == 'dict' and {"['__name__']", "['__spec__']", "['__loader__']"} <= labels))


# ---- the key spelling, decoded independently of the C code ----

def label_of(key, parent_type, array):
    if array:
        return f'[{key}]'
    if key.startswith('@'):
        rest = key[1:]
        if rest.isdigit() and rest.isascii():
            return None
        m = re.match(r'([0-9]+)@(.*)\Z', rest, re.S)
        if m:
            return m.group(2) or None
        return rest
    return '[' + repr(key) + ']' if parent_type == 'dict' else '.' + key


# ---- random dumps ----

NASTY = ['k', "it's", 'say "hi"', 'both \'"', 'back\\slash', 'a/b', 'til~de', '%41', 'new\nline',
         'tab\t', '\x01ctl', '\x7f', '\x85', '\xa0nbsp', 'caf\xe9', '\u2028', '\U0001f600', '$ref',
         '$type', '@x', '', '0', '12', '#/x', '$["a"]', ' ', '\u200b', '\ufeff', '\U000e0001']
ATTRS = ['name', 'parent', 'children', 'x y', '$ref', '@a', '1st', 'caf\xe9', 'a"b', '~/%']
SCALARS = [('str', 'hello'), ('str', 'q"b\\s/\n\x01 \u2028'), ('str', 'caf\xe9 \U0001f600'),
           ('int', 42), ('int', -7), ('float', 1.5), ('bool', True), ('bool', False),
           ('NoneType', None), ('str', '')]


# Labels that collide in every way the key spelling has to keep apart.
WIDE = [None, '.x', '.@1@x', '.1@x', '.@x', '@1@.x', 'x', '1@x', '@0', '.@0', '[3]', '.y']
WIDE_KEYS = ["['k']", "['@1@k']", "['@0']", "['1@k']", '<key>', None, '.k']


def random_dump(rng, wide=False):
    """A dump: containers 0..n-1 (0 is the root), then scalars.  Some
    containers are runtime objects (type, function, module); wide: objects
    with 33-150 references sharing a few labels."""
    n, ns = rng.randint(2, 30), rng.randint(0, 8)
    addr = [0x7f0000001000 + 16 * i for i in range(n + ns)]
    kinds = [rng.choice(['Foo', 'Bar', 'dict', 'list', 'tuple'] * 3 + RUNTIME[:3])
             for _ in range(n)]
    objs = []
    for i in range(n):
        t = kinds[i]
        deg = rng.randint(0, 5)
        if wide and t not in ('list', 'tuple') and rng.random() < 0.5:
            deg = rng.randint(33, 150)
            few = rng.randint(1, len(WIDE))
            targets = [rng.randrange(n + ns) for _ in range(deg)]
            pool = WIDE_KEYS if t == 'dict' else WIDE[:few]
            labels = [rng.choice(pool) for _ in range(deg)]
            objs.append({'address': addr[i], 'type': t, 'size': 48, 'refcount': 1,
                         'refs': [addr[x] for x in targets], 'labels': labels})
            continue
        targets = [rng.randrange(n + ns) if rng.random() < 0.3 else rng.randrange(n)
                   for _ in range(deg)]
        if t in ('list', 'tuple'):
            labels = [f'[{j}]' for j in range(deg)][::-1]
            targets = targets[::-1]
        elif t == 'dict':
            keys = rng.sample(NASTY, min(deg, len(NASTY)))
            labels = ['[' + repr(k) + ']' for k in keys]
            if deg and rng.random() < 0.3:
                labels[-1] = '<key>'
        else:
            labels = [rng.choice([None, '.' + rng.choice(ATTRS)]) for _ in range(deg)]
        objs.append({'address': addr[i], 'type': t, 'size': 48, 'refcount': 1,
                     'refs': [addr[x] for x in targets], 'labels': labels})
    for i in range(ns):
        t, v = rng.choice(SCALARS)
        objs.append({'address': addr[n + i], 'type': t, 'size': 28, 'refcount': 1, 'gc': False,
                     'refs': [], 'value': v})
    lines = [json.dumps({'cycletool_dump': 1, 'python': '3.11'})]
    lines += [json.dumps(o) for o in objs]
    lines.append(json.dumps({'cycletool_dump_end': 1, 'objects': len(objs)}))
    return '\n'.join(lines) + '\n', objs


def is_scalar(o):
    """Written as a JSON scalar (cycletool(1)): leaf str, int, float, bool, None."""
    t, v = o['type'], o.get('value')
    if o['refs'] or t not in ('str', 'int', 'float', 'bool', 'NoneType'):
        return False
    return (t == 'str' or (t == 'int' and isinstance(v, int) and not isinstance(v, bool)) or
            (t == 'float' and isinstance(v, float)) or (t == 'bool' and isinstance(v, bool)) or
            (t == 'NoneType' and 'value' in o and v is None))


def expected_edges(objs, root):
    """Edges reachable from root: (from, label, to-address or ('v', value));
    the walk does not leave runtime objects (but the root)."""
    by = {o['address']: o for o in objs}
    scalar = {o['address'] for o in objs if is_scalar(o)}
    seen, todo, edges = {root}, [root], []
    while todo:
        a = todo.pop()
        o = by[a]
        if a != root and is_runtime(o):
            continue
        for t, l in zip(o['refs'], o.get('labels') or [None] * len(o['refs'])):
            if t in scalar:
                edges.append((a, l, ('v', json.dumps(by[t].get('value', '')))))
                continue
            edges.append((a, l, t))
            if t not in seen:
                seen.add(t)
                todo.append(t)
    return sorted(edges, key=repr), seen


def resolved_edges(rep, types):
    out = []
    for frm, key, to in rep['edges']:
        a = int(frm, 16)
        array = types[a] in ('list', 'tuple') and re.fullmatch(r'[0-9]+', key) is not None
        label = label_of(key, types[a], array)
        out.append((a, label, ('v', json.dumps(to['v'])) if isinstance(to, dict) else int(to, 16)))
    return sorted(out, key=repr)


def node_reports(path):
    p = subprocess.run([NODE, os.path.join(os.path.dirname(__file__), 'resolve.js'), path],
                       capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        return None, p.stderr
    return [json.loads(line) for line in p.stdout.split('\n') if line], ''


def scan_sccs(path, fmt=None):
    args = ['scan', '--json', '--members'] + (['--format', fmt] if fmt else []) + [path]
    rc, out, err = run(args)
    if rc != 0:
        return None, err
    return {frozenset(int(m, 16) for m in s['members']) for s in json.loads(out)['sccs']}, ''


def node_reports_each(paths):
    """node_reports of many files with one node: a list of (reports or
    None, error) in the order of paths."""
    if not paths:
        return []
    p = subprocess.run([NODE, os.path.join(os.path.dirname(__file__), 'resolve.js'), '--each']
                       + paths, capture_output=True, text=True, timeout=1200)
    lines = [json.loads(line) for line in p.stdout.split('\n') if line]
    if p.returncode != 0 or len(lines) != len(paths):
        return [(None, f'node exit {p.returncode}: {p.stderr}')] * len(paths)
    return [(x['reports'], '') if 'reports' in x else (None, x['error']) for x in lines]


def roundtrip(name, dump_path, root, objs, style, check_edges=True, tree=False):
    roundtrips([(name, dump_path, root, objs, style, check_edges, tree)])


def roundtrips(cases):
    """Each case (name, dump_path, root, objs, style, check_edges, tree):
    export from root, resolve in node, import, export again.  The exports
    are resolved by one node for all the cases."""
    todo = []
    for k, (name, dump_path, root, objs, style, check_edges, tree) in enumerate(cases):
        rc, doc, err = run(['export', '--root', hex(root), '--address', '--ref-style', style,
                            dump_path])
        if not check(f'{name}: export exits 0', rc == 0, err):
            continue
        try:
            strict_loads(doc)
        except ValueError as e:
            check(f'{name}: valid JSON, no member name twice', False, str(e))
            continue
        todo.append((cases[k], doc, tmp(f'out{k}.json', doc)))
    resolved = node_reports_each([out for _, _, out in todo]) if NODE else [None] * len(todo)
    for ((name, dump_path, root, objs, style, check_edges, tree), doc, out), node in \
            zip(todo, resolved):
        types = {o['address']: o['type'] for o in objs}
        want_edges, reach = expected_edges(objs, root)
        want_sccs = sccs_of(want_edges)
        if NODE:
            reps, err = node
            if check(f'{name}: node resolves it', reps is not None, err):
                rep = reps[0]
                if check_edges:
                    got = resolved_edges(rep, types)
                    check(f'{name}: node sees the dump\'s edges', got == want_edges,
                          f'\nwant {want_edges}\ngot  {got}')
                got_sccs = {frozenset(int(a, 16) for a in s) for s in rep['sccs']}
                check(f'{name}: node finds the dump\'s cycles', got_sccs == want_sccs,
                      f'want {sorted(map(sorted, want_sccs))} got {sorted(map(sorted, got_sccs))}')
                check(f'{name}: node sees each object once', rep['objects'] == len(reach),
                      f'{rep["objects"]} != {len(reach)}')
                if tree:
                    check(f'{name}: o.children[i].parent === o',
                          rep['parentChecks'][1] == 0 and rep['parentChecks'][0] > 0,
                          rep['parentChecks'])
        got_sccs, err = scan_sccs(out)
        check(f'{name}: scan of the import finds the cycles', got_sccs == want_sccs,
              f'{err} want {sorted(map(sorted, want_sccs))} got {got_sccs and sorted(map(sorted, got_sccs))}')
        rc, again, err = run(['export', '--root', hex(root), '--address', '--ref-style', style, out])
        check(f'{name}: export of the import is the same text', rc == 0 and again == doc,
              f'{err}\n{doc[:600]}\n{again[:600]}')


def sccs_of(edges):
    """Cyclic strongly connected components of the graph of edges
    (scalar targets ignored), as frozensets of addresses."""
    adj = {}
    for a, _, b in edges:
        adj.setdefault(a, [])
        if not isinstance(b, tuple):
            adj[a].append(b)
            adj.setdefault(b, [])
    index, low, on, st, out, counter = {}, {}, set(), [], set(), [0]
    for s in adj:
        if s in index:
            continue
        work = [(s, iter(adj[s]))]
        index[s] = low[s] = counter[0]
        counter[0] += 1
        st.append(s)
        on.add(s)
        while work:
            v, it = work[-1]
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    st.append(w)
                    on.add(w)
                    work.append((w, iter(adj[w])))
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = st.pop()
                        on.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    if len(comp) > 1 or v in adj[v]:
                        out.add(frozenset(comp))
    return out


def styles_for(i):
    """Every style for case i; under CT_TEST_SMALL (valgrind) one, in turn,
    so that each style still meets a third of the cases."""
    return [STYLES[i % len(STYLES)]] if SMALL else STYLES


def test_random():
    rng = random.Random(4)
    cases = []
    for i in range(15 if SMALL else 60):
        text, objs = random_dump(rng)
        path = tmp(f'random{i}.jsonl', text)
        for style in styles_for(i):
            cases.append((f'random {i} {style}', path, objs[0]['address'], objs, style, True,
                          False))
    roundtrips(cases)


def test_wide():
    rng = random.Random(10)
    cases = []
    for i in range(4 if SMALL else 40):
        text, objs = random_dump(rng, wide=True)
        path = tmp(f'wide{i}.jsonl', text)
        for style in styles_for(i):
            cases.append((f'wide {i} {style}', path, objs[0]['address'], objs, style, True,
                          False))
    roundtrips(cases)


def load_dump(path):
    objs = []
    with open(path, encoding='utf-8') as f:
        for line in f:
            o = json.loads(line)
            if 'address' in o:
                objs.append(o)
    return objs


def small_pick(sccs):
    """Under CT_TEST_SMALL (valgrind): of the first SCCs, the first of each
    signature (at most 4), and at least 2: the same shapes as all eight,
    where the first few are often one signature over and over."""
    pick, seen = [], set()
    for s in sccs:
        if s['signature'] not in seen and len(pick) < 4:
            seen.add(s['signature'])
            pick.append(s)
    for s in sccs:
        if len(pick) >= 2:
            break
        if s not in pick:
            pick.append(s)
    return pick


def test_testdata():
    for base in ['leaky_tree', 'pool', 'minidom', 'finalizers']:
        path = os.path.join(TESTDATA, base + '.jsonl')
        if not os.path.exists(path):
            continue
        objs = load_dump(path)
        rc, out, err = run(['scan', '--json', '--members', path])
        sccs = json.loads(out)['sccs'] if rc == 0 else []
        cases = []
        for k, s in enumerate(small_pick(sccs[:8]) if SMALL else sccs[:8]):
            root = int(s['cycle'][0]['address'], 16)
            for style in styles_for(k):
                # Values are cut at 100 characters and labels may be
                # truncated reprs: compare cycles and identity, not every edge.
                cases.append((f'{base} scc {s["id"]} {style}', path, root, objs, style, False,
                              'TreeNode .children' in s['signature']))
        roundtrips(cases)
        rc, doc, err = run(['export', '--scc', '1', path])
        p = subprocess.run([sys.executable, '-m', 'json.tool'], input=doc.encode(),
                           capture_output=True)
        check(f'{base}: --scc 1 is valid JSON (json.tool)', rc == 0 and p.returncode == 0,
              err + p.stderr.decode())
        groups = len(json.loads(run(['scan', '--json', path])[1])['groups'])
        for extra in [[], ['--follow-runtime']]:
            what = f'{base}: --representatives{" " if extra else ""}{" ".join(extra)}'
            rc, doc, err = run(['export', '--representatives', '--ref-style', 'pointer'] + extra +
                               [path])
            docs, perr = strict_lines(doc)
            check(f'{what}: one line per group, no member name twice',
                  rc == 0 and docs is not None and len(docs) == groups,
                  f'{rc} {docs and len(docs)} lines, {groups} groups {err} {perr}')
            if NODE and docs:
                reps, err = node_reports(tmp('reps.ndjson', doc))
                check(f'{what}: node resolves every $ref', reps is not None, err)
                # Runtime objects are leaves by default: a cycle through a
                # class (the __mro__ tuple) is whole only when followed.
                if extra:
                    check(f'{what}: every representative is on a cycle once restored',
                          reps is not None and all(r['sccs'] for r in reps), err)


def test_depth():
    path = os.path.join(TESTDATA, 'leaky_tree.jsonl')
    if not os.path.exists(path):
        return
    for depth in ['0', '1', '3']:
        rc, doc, err = run(['export', '--scc', '1', '--depth', depth, '--address',
                            '--follow-runtime', path])
        check(f'--depth {depth}: exit 0, has cut markers', rc == 0 and '"$cut":true' in doc, err)
        d = tmp('cut.json', doc)
        rc, out, err = run(['scan', d])
        check(f'--depth {depth}: the cut document imports', rc == 0, err)
    rc, full, _ = run(['export', '--scc', '1', '--follow-runtime', path])
    check('no --depth: no cut markers', '"$cut"' not in full)
    # The SCC tuple -> type(TreeNode) .__mro__ -> tuple (the runtime's, with
    # --full-graph): the classes right below the root are runtime leaves,
    # never cut.
    rc, out, err = run(['scan', '--json', '--full-graph', path])
    mro = [s['id'] for s in json.loads(out)['sccs'] if '.__mro__' in s['signature']] \
        if rc == 0 else []
    check('--full-graph: the class TreeNode is on an MRO cycle', len(mro) == 1, err)
    rc, doc, err = run(['export', '--full-graph', '--scc', str(mro[0] if mro else 1),
                        '--depth', '0', path])
    check('--depth 0: runtime leaves below the root are not cut',
          rc == 0 and '"$cut"' not in doc and '"$runtime":true' in doc, doc[:300])


def objects_in(doc):
    """Every JSON object in doc (no references resolved)."""
    out, todo = [], [doc]
    while todo:
        v = todo.pop()
        if isinstance(v, dict):
            out.append(v)
            todo.extend(v.values())
        elif isinstance(v, list):
            todo.extend(v)
    return out


def tree_node(path, name=None):
    """Address of the first TreeNode (named name) of a dump."""
    for o in load_dump(path):
        if o['type'] == 'TreeNode' and (name is None or name in json.dumps(o)):
            return o['address']
    return None


def test_runtime():
    """Runtime objects are leaves by default; --follow-runtime follows them."""
    path = os.path.join(TESTDATA, 'leaky_tree.jsonl')
    if not os.path.exists(path):
        return
    root = hex(tree_node(path))
    rc, doc, err = run(['export', '--root', root, path])
    rc2, full, err2 = run(['export', '--root', root, '--follow-runtime', path])
    check('runtime: both exports exit 0', rc == 0 and rc2 == 0, err + err2)
    leaves = [o for o in objects_in(strict_loads(doc)) if '$runtime' in o]
    check('runtime: the class is a named leaf, written once',
          leaves == [{'$runtime': True, '$type': 'type', '$value': 'TreeNode'}], repr(leaves))
    classes = [o for o in objects_in(strict_loads(full)) if o.get('$value') == 'TreeNode']
    check('runtime: --follow-runtime enters the class, writes no "$runtime"',
          '"$runtime"' not in full and len(classes) == 1 and '__mro__' in classes[0],
          full[:300])
    check('runtime: the walk stays small (and --follow-runtime is bigger)',
          len(doc) < 2000 and len(full) > len(doc), f'{len(doc)} and {len(full)} bytes')
    # The leaf comes back as a node without references, and exports the same.
    for style in STYLES:
        rc, doc, err = run(['export', '--root', root, '--address', '--ref-style', style, path])
        f = tmp('runtime.json', doc)
        rc, again, err = run(['export', '--root', root, '--address', '--ref-style', style, f])
        check(f'runtime: {style}: export of the import is the same text',
              rc == 0 and again == doc, f'{err}\n{doc[:400]}\n{again[:400]}')
        rc, out, err = run(['scan', '--json', '--members', f])
        check(f'runtime: {style}: the import scans', rc == 0, err)
    # A leaf met twice is one object: the later meeting is a reference.
    rc, doc, err = run(['export', '--scc', '2', path])
    check('runtime: a class met again is a $ref',
          rc == 0 and doc.count('"$runtime":true') == 1 and '"__class__":{"$ref":' in doc,
          doc[:400])
    # V8: closures, code, system objects.
    gz = os.path.join(TESTDATA, '..', 'v8', 'cycles.heapsnapshot.gz')
    if os.path.exists(gz):
        import gzip
        v8 = tmp('cycles.heapsnapshot')
        with gzip.open(gz) as f, open(v8, 'wb') as o:
            o.write(f.read())
        rc, out, err = run(['scan', '--json', v8])
        pair = [s for s in json.loads(out)['sccs'] if s['signature'].startswith('CtPair')]
        if check('runtime: v8: the CtPair cycle is there', rc == 0 and pair, err):
            rc, doc, err = run(['export', '--root', pair[0]['cycle'][0]['address'], v8])
            docs, perr = strict_lines(doc)
            check('runtime: v8: CtPair exports small, strict, with runtime leaves',
                  rc == 0 and docs and len(doc) < 10000 and
                  '"$runtime":true,"$type":"(closure)"' in doc, f'{len(doc)} bytes {err} {perr}')
            if NODE and docs:
                reps, err = node_reports(tmp('v8.json', doc))
                check('runtime: v8: node restores the CtPair cycle',
                      reps is not None and any(len(c) == 2 for c in reps[0]['sccs']), err)


def test_usage():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'cli', 'cycles.jsonl')
    for args, what in [([path], 'no root'), (['--root', 'zz', path], 'bad address'),
                       (['--root', '0x10', '--scc', '1', path], 'two roots'),
                       (['--root', '0x10', '--ref-style', 'xpath', path], 'bad style'),
                       (['--root', '0x10', '--depth', '-1', path], 'bad depth'),
                       (['--root', '0x10', '--top', '2', path], '--top without --representatives'),
                       (['--root', '0x10'], 'no dump')]:
        rc, out, err = run(['export'] + args)
        check(f'usage: {what} -> 2', rc == 2 and err.startswith('cycletool: ') and out == '',
              f'{rc} {err!r}')
    rc, out, err = run(['export', '--root', '0x999', path])
    check('unknown address -> 3 (as path), one line',
          rc == 3 and err == f"cycletool: no object 0x999 in '{path}'\n",
          f'{rc} {err!r}')
    rc, out, err = run(['export', '--root', '16', path])
    check('decimal address', rc == 0 and out.startswith('{"$type":"TreeNode"'), f'{rc} {err!r}')
    rc, out, err = run(['export', '--scc', '99', path])
    check('unknown SCC -> 3', rc == 3 and 'no SCC 99' in err, f'{rc} {err!r}')
    rc, out, err = run(['export', '-h'])
    check('-h -> 0, usage on stdout', rc == 0 and out.startswith('Usage: cycletool export'), err)
    # A write error: a file size limit (EFBIG) below the document's size.
    big = os.path.join(TESTDATA, 'minidom.jsonl')
    if os.path.exists(big):
        def limit():
            import resource
            import signal
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (1000, 1000))
        wrapper = shlex.split(os.environ.get('CT_WRAPPER', ''))
        o = tmp('limited.json')
        p = subprocess.run(wrapper + [EXE, 'export', '--scc', '1', '-o', o, big], capture_output=True,
                           preexec_fn=limit, timeout=600)
        err = p.stderr.decode()
        check('write error -> 4, one line, no partial file',
              p.returncode == 4 and err.count('\n') == 1 and not os.path.exists(o),
              f'{p.returncode} {err!r}')
    o = tmp('o.json')
    rc, out, err = run(['export', '--root', '0x10', '-o', o, path])
    check('-o FILE', rc == 0 and out == '' and json.load(open(o, encoding='utf-8')), err)


BAD = {
    'dangling path': '{"$type":"A","a":{"$ref":"$[\\"nope\\"]"}}',
    'dangling index': '{"$type":"A","a":[1,{"$ref":"$[\\"a\\"][5]"}]}',
    'malformed path': '{"$type":"A","a":{"$ref":"$[nope]"}}',
    'pointer to nothing': '{"$type":"A","a":{"$ref":"#/b"}}',
    'bad percent escape': '{"$type":"A","a":{"$ref":"#/a%zz"}}',
    'bad tilde escape': '{"$type":"A","a":{"$ref":"#/a~2"}}',
    'unknown id': '{"$id":"1","$type":"A","a":{"$ref":"2"}}',
    'duplicate id': '{"$id":"1","$type":"A","a":{"$id":"1","$type":"B"}}',
    'duplicate address': '{"$type":"A","$address":"0x10","a":{"$type":"B","$address":"16"}}',
    'circle of references': '{"$type":"A","a":{"$ref":"$[\\"b\\"][\\"x\\"]"},"b":{"$ref":"$[\\"a\\"][\\"x\\"]"}}',
    'reference through itself': '{"$type":"A","a":{"$ref":"$[\\"a\\"][\\"b\\"]"}}',
    'ref not a string': '{"$type":"A","a":{"$ref":3}}',
    'ref with other members': '{"$type":"A","a":{"$ref":"$","x":1}}',
    'root is a reference': '{"$ref":"$"}',
    'values not an array': '{"$type":"tuple","$values":{}}',
    'values with members': '{"$type":"tuple","$values":[],"x":1}',
    'ref to a meta member': '{"$type":"A","a":{"$ref":"$[\\"$type\\"]"}}',
    'type not a string': '{"$type":1}',
    'bad address': '{"$type":"A","$address":"0xzz"}',
    'truncated': '{"$type":"A","a":[1,2',
    'trailing garbage': '{"$type":"A"} x',
    'invalid JSON': '{"$type":"A",,}',
    'runtime not true': '{"$type":"A","a":{"$runtime":1,"$type":"type"}}',
    'runtime with members': '{"$type":"A","a":{"$runtime":true,"$type":"type","x":1}}',
    'runtime and cut': '{"$type":"A","a":{"$runtime":true,"$cut":true,"$type":"type"}}',
    'runtime with a reference': '{"$type":"A","a":{"$ref":"$","$runtime":true}}',
    'path into a runtime leaf': '{"$type":"A","a":{"$runtime":true,"$type":"type"},"b":{"$ref":"$[\\"a\\"][\\"x\\"]"}}',
}


def test_bad_imports():
    for name, text in BAD.items():
        path = tmp('bad.json', text + '\n')
        rc, out, err = run(['scan', path])
        one = err.count('\n') == 1 and err.startswith(f"cycletool: cannot parse '{path}' at line ")
        check(f'bad import: {name} -> 3, one line with position', rc == 3 and one, f'{rc} {err!r}')
    # Forward $id references and paths through references are fine.
    for name, text in [('forward id', '{"$id":"1","$type":"A","a":{"$ref":"2"},"b":{"$id":"2","$type":"B","c":{"$ref":"1"}}}'),
                       ('path through a reference', '{"$type":"A","a":{"$ref":"$[\\"b\\"]"},"b":{"$type":"B","c":{"$ref":"$[\\"a\\"]"}},"d":{"$ref":"$[\\"a\\"][\\"c\\"]"}}'),
                       ('runtime leaf', '{"$type":"A","c":{"$runtime":true,"$type":"type","$value":"A","$address":"0x10"},"d":{"$ref":"$[\\"c\\"]"}}'),
                       ('plain JSON list', '[1, "two", [3], {"$type":"X","x":null}]')]:
        path = tmp('good.json', text + '\n')
        rc, out, err = run(['scan', '--json', '--members', path])
        check(f'good import: {name}', rc == 0, f'{rc} {err!r}')


def main():
    test_usage()
    test_bad_imports()
    test_depth()
    test_runtime()
    test_testdata()
    test_random()
    test_wide()
    if not NODE:
        print('note: node not found, resolver checks skipped')
    print(f'{len(failures)} failure(s)')
    sys.exit(1 if failures else 0)


if __name__ == '__main__':
    main()

#!/usr/bin/env python3
"""Tests of the V8 heap snapshot loader, through the cycletool binary.

    test_v8.py CYCLETOOL TESTDATA_V8 CASE

CASE is one of:
  tiny     the hand-written tiny.heapsnapshot: exact components, garbage,
           signatures; the same report when its members come in another
           order (strings first, strings between nodes and edges) or with
           other white space
  known    the committed cycles.heapsnapshot.gz (made by cycles.js): the
           known cycles are found, with their signatures
  oracle   the same snapshot: cyclic SCCs equal tests/v8/v8_scc.py's
  fresh    a snapshot made now by node from cycles.js: known cycles and
           oracle (skipped, status 77, without node)
  bad      malformed snapshots: exit status 3 and one line naming a position
"""
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import v8_scc  # noqa: E402

failures = 0


def check(cond, msg):
    global failures
    if not cond:
        failures += 1
        print('FAIL: ' + msg)
    return cond


def run(exe, *args, stdin=None):
    wrapper = os.environ.get('CT_WRAPPER', '').split()
    return subprocess.run(wrapper + [exe] + list(args), input=stdin, capture_output=True)


def scan_json(exe, path, *extra):
    p = run(exe, 'scan', '--json', '--members', *extra, path)
    if not check(p.returncode == 0, f'scan {path}: status {p.returncode}: {p.stderr.decode()}'):
        return None
    return json.loads(p.stdout)


def unpack(gz, tmp):
    out = os.path.join(tmp, os.path.basename(gz)[:-3])
    with gzip.open(gz, 'rb') as f, open(out, 'wb') as g:
        shutil.copyfileobj(f, g)
    return out


def node_id(a):
    """A member as written by scan: "@123" (V8 ids) or "0x7b"."""
    return int(a[1:]) if a.startswith('@') else int(a, 16)


def members(scc):
    return tuple(sorted(node_id(a) for a in scc['members']))


# ---- tiny ----

def test_tiny(exe, data, tmp):
    path = os.path.join(data, 'tiny.heapsnapshot')
    # The application's graph leaves out references to V8's internal
    # objects, and with them the (system) self-reference.
    d = scan_json(exe, path)
    if d is not None:
        got = {members(c): (c['signature'], c['garbage']) for c in d['sccs']}
        check(d['summary']['graph'] == 'application' and (13,) not in got and len(got) == 2,
              f'application graph: sccs {got}')
    d = scan_json(exe, path, '--full-graph')
    if d is None:
        return
    check(d['summary']['graph'] == 'full', 'graph: ' + d['summary']['graph'])
    s = d['summary']
    check(d['format'] == 'v8', 'format ' + d['format'])
    check((s['objects'], s['references'], s['roots'], s['reachability']) == (9, 11, 1, 'roots'),
          f'summary {s}')
    # "hello" is held only by a weak edge, the Lost pair by nothing.
    check((s['garbage_objects'], s['garbage_bytes']) == (3, 56), f'garbage {s}')
    got = {members(c): (c['signature'], c['garbage']) for c in d['sccs']}
    want = {
        (7, 9): ('Caf\u00e9 \U0001F600 .peer \u2192 Foo .back \u2192 Caf\u00e9 \U0001F600', False),
        (13,): ('(system) [*] \u2192 (system)', False),
        (15, 17): ('Lost .x \u2192 Lost .y \u2192 Lost', True),
    }
    check(got == want, f'sccs {got}')
    # The shortcut from the root holds Window (id 5): not garbage, so its
    # referent (7) is reached in one step from it or via (GC roots).
    for c in d['sccs']:
        if members(c) == (7, 9):
            check([node_id(x['address']) for x in c['path']] == [1, 3, 7], f"path {c['path']}")
    text = open(path, encoding='utf-8').read()
    snap = json.loads(text)

    def variant(name, order, **dump):
        p = os.path.join(tmp, name)
        with open(p, 'w', encoding='utf-8') as f:
            json.dump({k: snap[k] for k in order}, f, **dump)
        v = scan_json(exe, p, '--full-graph')
        if v is not None:
            v.pop('file')
            ref = dict(d)
            ref.pop('file')
            check(v == ref, f'{name}: report differs from tiny.heapsnapshot')

    rest = ['trace_function_infos', 'trace_tree', 'samples', 'locations']
    variant('strings-first.heapsnapshot', ['strings', 'snapshot', 'nodes', 'edges'] + rest)
    variant('strings-middle.heapsnapshot', ['snapshot', 'nodes', 'strings', 'edges'] + rest)
    variant('no-extras.heapsnapshot', ['snapshot', 'nodes', 'edges', 'strings'])
    variant('indented.heapsnapshot', ['snapshot', 'nodes', 'edges', 'strings'] + rest,
            indent=3, ensure_ascii=True)
    variant('utf8.heapsnapshot', ['snapshot', 'nodes', 'edges', 'strings'] + rest,
            ensure_ascii=False)
    # Strings longer than the loader's 1 MB window, with escapes and
    # multi-byte characters all along (so some straddle the window's
    # end), in "strings" and in a member that is skipped.
    unit = 'ab\u00e9\u20ac\U0001F600"\\\n' * 4099
    long = dict(snap, strings=snap['strings'] + [unit * 40 + str(i) for i in range(3)],
                trace_function_infos=[unit * 37, {'k': [unit * 31]}])
    for ascii_only in (True, False):
        p = os.path.join(tmp, f'long-strings-{ascii_only}.heapsnapshot')
        with open(p, 'w', encoding='utf-8') as f:
            json.dump(long, f, ensure_ascii=ascii_only)
        v = scan_json(exe, p, '--full-graph')
        if v is not None:
            check({**v, 'file': ''} == {**d, 'file': ''},
                  f'long strings (ensure_ascii={ascii_only}): report differs')
    # What V8 itself writes for a JavaScript string with a lone surrogate
    # (code units as \uXXXX) loads, the surrogate as U+FFFD; so does \u0000.
    for esc, shown in (('\\ud800', '\ufffd'), ('\\udfff', '\ufffd'), ('\\u0000', '\ufffd')):
        p = os.path.join(tmp, 'escape.heapsnapshot')
        with open(p, 'w', encoding='utf-8') as f:
            f.write(text.replace('"Lost"', '"Lo' + esc + 'st"'))
        v = scan_json(exe, p)
        sig = [c['signature'] for c in v['sccs'] if c['garbage']] if v else []
        check(sig == [f'Lo{shown}st .x \u2192 Lo{shown}st .y \u2192 Lo{shown}st'],
              f'{esc} in a class name: {sig}')
    # Standard input, and --format.
    p = run(exe, 'scan', '--json', '--members', '--full-graph', '-', stdin=text.encode())
    check(p.returncode == 0 and json.loads(p.stdout)['sccs'] == d['sccs'], 'stdin')
    p = run(exe, 'scan', '-f', 'v8', path)
    check(p.returncode == 0, 'scan -f v8')
    p = run(exe, 'scan', '-f', 'python', path)
    check(p.returncode == 3, f'scan -f python on a snapshot: status {p.returncode}')


# ---- known cycles ----

KNOWN = {
    # class: (component size, signature)
    'CtPair': (2, 'CtPair .peer \u2192 CtPair .peer \u2192 CtPair'),
    'CtHolder': (3, 'CtHolder .fn \u2192 (closure) .context \u2192 system / Context .holder '
                    '\u2192 CtHolder'),
    'CtKeeper': (3, None),  # the table's internal label depends on the Map's layout
    'CtSelf': (1, 'CtSelf .self \u2192 CtSelf'),
}


def test_known(exe, path, *extra):
    d = scan_json(exe, path, *extra)
    if d is None:
        return
    check(d['summary']['reachability'] == 'roots', 'reachability')
    for cls, (size, sig) in KNOWN.items():
        found = [c for c in d['sccs'] if cls in c['types']]
        if not check(len(found) == 1, f'{cls}: {len(found)} SCCs hold one'):
            continue
        c = found[0]
        check(c['size'] == size and c['types'][cls] == (2 if cls == 'CtPair' else 1),
              f"{cls}: size {c['size']} types {c['types']}")
        check(not c['garbage'], f'{cls}: garbage')
        if sig:
            check(c['signature'] == sig, f"{cls}: signature {c['signature']!r}")
        # Held from the stack: the path runs root -> (GC roots) -> (Stack roots).
        vals = [x.get('value') for x in c['path']]
        check(vals[1:3] == ['(GC roots)', '(Stack roots)'], f'{cls}: path {vals}')
    keeper = [c for c in d['sccs'] if 'CtKeeper' in c['types']]
    if keeper:
        sig = keeper[0]['signature']
        check(re.fullmatch(r'CtKeeper \.map → Map \.table → \(array\) \.\d+ → CtKeeper', sig),
              f'CtKeeper: signature {sig!r}')


def test_oracle(exe, path):
    # The independent count is over every strong reference: --full-graph.
    d = scan_json(exe, path, '--full-graph')
    if d is None:
        return
    got = sorted(members(c) for c in d['sccs'])
    want = v8_scc.cyclic_sccs(path)
    check(len(got) == d['summary']['cyclic_sccs'], 'sccs listed != summary')
    if not check(got == want, f'{len(got)} SCCs, oracle {len(want)}'):
        g, w = set(got), set(want)
        for x in sorted(g - w)[:3]:
            print('  only cycletool:', x[:10], len(x))
        for x in sorted(w - g)[:3]:
            print('  only oracle:   ', x[:10], len(x))
    check(sum(len(c) for c in got) == d['summary']['cyclic_objects'], 'cyclic_objects')


def test_fresh(exe, data, tmp):
    node = shutil.which('node')
    if not node:
        print('node not found: skipped')
        sys.exit(77)
    path = os.path.join(tmp, 'fresh.heapsnapshot')
    subprocess.run([node, '--expose-gc', os.path.join(data, 'cycles.js'), path], check=True)
    test_known(exe, path)
    test_known(exe, path, '--full-graph')
    test_oracle(exe, path)


def test_big(exe, data, tmp):
    """A snapshot big enough for the arrays to be mapped (a megabyte and
    more), so that top faults its memory in on another thread and takes
    the dominator tree's from a reserve: the same results as from a pipe,
    where neither happens."""
    node = shutil.which('node')
    if not node:
        print('node not found: skipped')
        sys.exit(77)
    path = os.path.join(tmp, 'big.heapsnapshot')
    script = (
        "const v8 = require('v8');"
        "class Item { constructor(i, next) { this.i = i; this.next = next; this.pad = [i]; } }"
        "const keep = [];"
        "for (let g = 0; g < 300; g++) {"
        "  let first = new Item(0, null), last = first;"
        "  for (let i = 1; i < 300 + g; i++) last = new Item(i, last);"
        "  first.next = last; keep.push(first);"
        "}"
        "globalThis.keep = keep;"
        "v8.writeHeapSnapshot(process.argv[1]);")
    subprocess.run([node, '-e', script, path], check=True)
    with open(path, 'rb') as f:
        text = f.read()
    m = re.search(rb'"node_count":(\d+)', text[:4096])
    check(m is not None and int(m.group(1)) * 8 > (1 << 20),
          f'the snapshot is too small to map its arrays: {m and m.group(1)}')
    for cmd in (['top', '-n', '40', '--json'], ['scan', '--json']):
        a = run(exe, *cmd, path)
        b = run(exe, *cmd, '-', stdin=text)
        check(a.returncode == 0 and b.returncode == 0,
              f'{cmd[0]}: status {a.returncode} / {b.returncode}: {a.stderr[-300:]!r}')
        da, db = json.loads(a.stdout), json.loads(b.stdout)
        for d in (da, db):   # the input's name differs, and only that
            d.pop('file', None)
            d.get('summary', {}).pop('file', None)
        check(da == db, f'{cmd[0]}: file and pipe differ')
        print(f'{cmd[0]}: file and pipe agree ({len(a.stdout)} bytes)')
    top = json.loads(run(exe, 'top', '-n', '5', '--json', path).stdout)
    check(top['objects'] and top['objects'][0]['retained'] > 0, 'top lists retainers')


# ---- bad inputs ----

def bad_cases(text):
    """(name, content) pairs, each made from tiny.heapsnapshot by one change."""
    def sub(old, new, count=1):
        assert text.count(old) >= 1, old
        return text.replace(old, new, count)
    n = len(text)
    cases = [
        ('empty', ''),
        ('not-json', 'hello\n'),
        ('truncated-meta', text[:200]),
        ('truncated-nodes', text[:text.index('"edges"') - 30]),
        ('truncated-edges', text[:text.index('"trace_function_infos"') - 10]),
        ('truncated-string', text[:text.index('system / Map') + 3]),
        ('truncated-end', text.rstrip()[:-1]),
        ('truncated-half', text[:n // 2]),
        ('no-strings', sub(',\n"strings":["<dummy>",', ',\n"other":["<dummy>",')),
        ('no-meta', sub('"meta":', '"m":')),
        ('meta-no-id', sub('"type","name","id",', '"type","name","ident",')),
        ('meta-no-to-node', sub('"name_or_index","to_node"', '"name_or_index","target"')),
        ('meta-types-not-array', sub('"node_types":[["hidden"', '"node_types":["x",["hidden"')),
        ('meta-after-nodes', '{"nodes":[1,2],' + text[1:]),
        ('node-count', sub('"node_count":9', '"node_count":10')),
        ('edge-count', sub('"edge_count":11', '"edge_count":12')),
        ('edge-counts-sum', sub(',3,9,9,24,2,0,0', ',3,9,9,24,3,0,0')),
        ('partial-node', sub(',3,14,17,20,1,0,0]', ',3,14,17,20,1,0]')),
        ('to-node-range', sub(',2,16,49]', ',2,16,63]')),
        ('to-node-misaligned', sub(',2,16,49]', ',2,16,50]')),
        ('node-type-range', sub(',3,14,17,20,1,0,0]', ',99,14,17,20,1,0,0]')),
        ('edge-type-range', sub(',2,16,49]', ',9,16,49]')),
        ('node-name-index', sub(',3,14,17,20,1,0,0]', ',3,99,17,20,1,0,0]')),
        ('edge-name-index', sub(',2,16,49]', ',2,999,49]')),
        ('negative', sub(',3,14,17,20,1,0,0]', ',3,14,17,-20,1,0,0]')),
        ('float', sub(',3,14,17,20,1,0,0]', ',3,14,17,2.5,1,0,0]')),
        ('huge', sub(',3,14,17,20,1,0,0]', ',3,14,17,99999999999999999999999,1,0,0]')),
        ('bad-escape', sub('"Lost"', '"Lo\\qst"')),
        ('bad-unicode', sub('"Lost"', '"Lo\\u12G4st"')),
        ('control-char', sub('"Lost"', '"Lo\tst"')),
        # Bytes that are not UTF-8 (the loader used to pass them on into
        # JSON output): line 40, column 4 is the byte.
        ('invalid-utf8', sub('"Lost"', '"Lo\udcffst"')),
        ('invalid-utf8-overlong', sub('"Lost"', '"Lo\udcc0\udcafst"')),
        ('invalid-utf8-truncated', sub('"Lost"', '"Lo\udce2\udc82st"')),
        ('missing-comma', sub(',\n"edges"', '\n"edges"')),
        ('data-after', text + '{}\n'),
        ('edges-before-nodes', sub('{"snapshot"', '{"edges":[],"snapshot"')),
        ('no-nodes', sub('"nodes":[', '"nodez":[')),
    ]
    return cases


def test_bad(exe, data, tmp):
    text = open(os.path.join(data, 'tiny.heapsnapshot'), encoding='utf-8').read()
    for name, content in bad_cases(text):
        path = os.path.join(tmp, name + '.heapsnapshot')
        with open(path, 'w', encoding='utf-8', errors='surrogateescape') as f:
            f.write(content)
        args = ['scan'] + ([] if name in ('empty', 'not-json') else ['-f', 'v8']) + [path]
        p = run(exe, *args)
        err = p.stderr.decode(errors='replace')
        lines = err.splitlines()
        check(p.returncode == 3, f'{name}: status {p.returncode}, stderr {err!r}')
        check(len(lines) == 1 and lines[0].startswith('cycletool: '),
              f'{name}: stderr {err!r}')
        if name not in ('empty', 'not-json'):
            check(re.search(r'at line \d+', err) is not None, f'{name}: no position: {err!r}')
        if name.startswith('invalid-utf8'):
            check('at line 40, column 4: invalid UTF-8' in err, f'{name}: position: {err!r}')
        check(p.stdout == b'', f'{name}: output on stdout')
        print(f'{name}: {err.strip()}')


def test_declared_counts(exe, text, tmp):
    """Counts the snapshot declares but does not hold are not believed:
    from a file they are checked against its size, from a pipe they are a
    hint only; either way the memory stays small and the error names them."""
    import resource
    big = text.replace('"node_count":9', '"node_count":4000000000').replace(
        '"edge_count":11', '"edge_count":4000000000')
    path = os.path.join(tmp, 'declared.heapsnapshot')
    with open(path, 'w', encoding='utf-8') as f:
        f.write(big)
    for how, args, stdin in [('file', [path], None), ('pipe', ['-'], big.encode())]:
        p = run(exe, 'top', '-f', 'v8', *args, stdin=stdin)
        err = p.stderr.decode(errors='replace')
        check(p.returncode == 3 and 'node_count is 4000000000' in err,
              f'declared counts ({how}): status {p.returncode}, stderr {err!r}')
        print(f'declared counts ({how}): {err.strip()}')
    # The largest child so far (all small inputs): not gigabytes.
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    check(peak_mb < 600, f'declared counts: a child peaked at {peak_mb:.0f} MB')


def main():
    exe, data, case = sys.argv[1:4]
    with tempfile.TemporaryDirectory() as tmp:
        if case == 'tiny':
            test_tiny(exe, data, tmp)
        elif case in ('known', 'oracle'):
            path = unpack(os.path.join(data, 'cycles.heapsnapshot.gz'), tmp)
            (test_known if case == 'known' else test_oracle)(exe, path)
        elif case == 'fresh':
            test_fresh(exe, data, tmp)
        elif case == 'big':
            test_big(exe, data, tmp)
        elif case == 'bad':
            test_bad(exe, data, tmp)
            text = open(os.path.join(data, 'tiny.heapsnapshot'), encoding='utf-8').read()
            test_declared_counts(exe, text, tmp)
        else:
            sys.exit(f'unknown case {case}')
    if failures:
        print(f'{failures} check(s) failed')
        sys.exit(1)
    print('ok')


if __name__ == '__main__':
    main()

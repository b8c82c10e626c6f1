#!/usr/bin/env python3
"""cycletool diff (issue 12): every count against the construction.

usage: test_diff.py CYCLETOOL SOURCE_ROOT CASE
  CASE  python     testdata/python/grow.py run now (three dumps): the types
                   table, the survivor clusters, the cycles table, the
                   note on the collector, --ndjson
        v8         testdata/v8/grow.js run now by node (skipped without node)
        refjson    testdata/refjson/app-*.json: structural identity
        fail-if    --fail-if on grow.py's dumps, and malformed expressions
        origin     dumps of two processes, dumps out of order (--strict)
        warn-once  an origin warning is said once, however many dumps follow
        chain-signature  the signature of grow.py's chain cluster is its shape
        bad        usage and input errors
Each script makes known growth per step: Leak +200 (kept), Temp made and
dropped, Cache flat at 3 (and, in Python, one garbage Cycle pair a step
a bounded cache of 5 Entry objects refilled a step, a chain growing by
50 Node a step).  Expected values
come from that construction, not from the program's output.
The binary is run as "$CT_WRAPPER CYCLETOOL ..." when CT_WRAPPER is set.
"""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ctcheck  # noqa: E402
from ctcheck import check, run, strict, failures  # noqa: E402









def grow_py(root, prefix):
    """Run grow.py: three dumps prefix-0.jsonl .. prefix-2.jsonl."""
    env = dict(os.environ, PYTHONPATH=os.path.join(root, 'formats/python'))
    subprocess.run([sys.executable, os.path.join(root, 'testdata/python/grow.py'), prefix],
                   env=env, check=True)
    return [prefix + '-%d.jsonl' % k for k in range(3)]


def one_cluster(d, pred):
    found = [c for c in d['survivors'] if pred(c)]
    return found[0] if len(found) == 1 else None


def check_python_survivors(dumps):
    """grow.py's survivors: the 200 Leak made by step 1 (kept, so still in
    the last dump, beside step 0's and step 2's); the garbage Cycle pair of
    step 1."""
    rc, out, err = run(['diff', '--json'] + dumps)
    if not check('survivors: --json exit 0', rc == 0, err):
        return None
    d = strict(out)
    s = d['summary']
    check('summary: survivors = the clusters\' counts',
          s['survivors'] == sum(c['count'] for c in d['survivors']), s)
    check('summary: at least 200 Leak + 2 Cycle survivors', s['survivors'] >= 202, s)
    leak = one_cluster(d, lambda c: 'Leak' in c['types'])
    if check('one Leak cluster', leak is not None, [c['signature'] for c in d['survivors']]):
        check('Leak cluster: 200, only Leak, alive', leak['count'] == 200 and
              leak['types'] == {'Leak': 200} and leak['garbage'] is False, leak)
        check('Leak cluster: signature has "list [*] \u2192 Leak"',
              'list [*] \u2192 Leak' in leak['signature'], leak['signature'])
        check('Leak cluster: retained >= bytes > 0',
              leak['retained'] >= leak['bytes'] > 0, leak)
        path = leak['path']
        check('Leak path: from module __main__ to a Leak',
              len(path) >= 2 and path[0]['type'] == 'module' and
              path[0].get('name') == '__main__' and path[-1]['type'] == 'Leak' and
              'label' not in path[-1] and all('label' in x for x in path[:-1]), path)
        check('Leak cluster ranks first (retains most)', d['survivors'][0] is leak,
              d['survivors'][0]['signature'])
    cyc = one_cluster(d, lambda c: 'Cycle' in c['types'])
    check('garbage Cycle cluster: 2 Cycle, garbage',
          cyc is not None and cyc['count'] == 2 and cyc['types'] == {'Cycle': 2} and
          cyc['garbage'] is True and cyc['retained'] == cyc['bytes'], cyc)
    # The chain: 50 Node a step appended at the tail (CHAIN is position 0).
    # Survivors: step 1's 50 (positions 51..100); the first of them, the
    # representative, dominates them and step 2's 50 (51..150), and is
    # reached through CHAIN and 50 Nodes: a path of module, dict and 52
    # Nodes, CHAIN retaining all 151.
    types = {t['type']: t for t in d['types']}
    size = types['Node']['bytes'][2] // 151 if 'Node' in types else 0
    chain = one_cluster(d, lambda c: 'Node' in c['types'])
    check('chain cluster: 50 Node, retaining 100 Nodes (none counted twice)',
          chain is not None and size > 0 and types['Node']['bytes'] == [51 * size, 101 * size,
                                                                         151 * size] and
          chain['count'] == 50 and chain['types'] == {'Node': 50} and
          chain['bytes'] == 50 * size and chain['retained'] == 100 * size and
          chain['garbage'] is False, (size, chain and {k: chain[k] for k in chain if k != 'path'}))
    if chain:
        path = chain['path']
        steps = [x for x in path if 'omitted' not in x]
        omitted = sum(x.get('omitted', 0) for x in path)
        check('chain path: 54 steps, 48 shown, the rest counted as omitted',
              len(steps) == 48 and omitted == 54 - 48 and path[0]['type'] == 'module' and
              all(x['type'] == 'Node' for x in steps[2:]) and
              steps[-1]['retained'] == 100 * size and steps[2]['retained'] == 151 * size and
              [i for i, x in enumerate(path) if 'omitted' in x] == [24], path[:3] + path[-2:])
    check('no Temp, Entry or Cache survivor',
          not any(t in c['types'] for c in d['survivors'] for t in ('Temp', 'Entry', 'Cache')),
          [c['types'] for c in d['survivors']])
    # The cycles table: one garbage Cycle pair made per step, none collected.
    rows = [c for c in d['cycles'] if 'Cycle .peer' in c['signature'] and c['garbage']]
    check('cycles: one garbage "Cycle .peer" row', len(rows) == 1, d['cycles'])
    if rows:
        r = rows[0]
        check('cycles: counts 1,2,3, new 2, persisted 1, freed 0, growing',
              (r['counts'], r['new'], r['persisted'], r['freed'], r['trend'], r['runtime']) ==
              ([1, 2, 3], 2, 1, 0, 'growing', False), r)
    check('summary: garbage_cycles 1,2,3, one persisted',
          s['garbage_cycles'] == [1, 2, 3] and s['garbage_cycles_persisted'] == 1, s)
    check('summary: no alive cycle made by the steps',
          len(set(s['alive_cycles'])) == 1, s['alive_cycles'])

    # First and last only: B \ A with B the last.
    rc, out, err = run(['diff', '--json', dumps[0], dumps[-1]])
    if check('first and last: exit 0', rc == 0, err):
        d2 = strict(out)
        leak = one_cluster(d2, lambda c: 'Leak' in c['types'])
        check('first and last: Leak cluster 400', leak is not None and leak['count'] == 400 and
              leak['types'] == {'Leak': 400}, leak)
        cyc = one_cluster(d2, lambda c: 'Cycle' in c['types'])
        check('first and last: garbage Cycle cluster 4 (two pairs)', cyc is not None and
              cyc['count'] == 4 and cyc['garbage'] is True, cyc)
        # Survivors B \ A: positions 51..150, the first dominating the rest.
        chain = one_cluster(d2, lambda c: 'Node' in c['types'])
        check('first and last: chain cluster 100 Node, retaining those 100',
              chain is not None and chain['count'] == 100 and
              chain['retained'] == chain['bytes'] == 100 * size and
              sum(x.get('omitted', 1) for x in chain['path']) == 54,
              chain and {k: chain[k] for k in chain if k != 'path'})
        check('first and last: garbage cycles 1, 3',
              d2['summary']['garbage_cycles'] == [1, 3], d2['summary'])

    # Text: the note on the collector, the survivors line.
    rc, text, err = run(['diff'] + dumps)
    check('text: the collector did not run', rc == 0 and
          'note: 1 garbage cycle is in the first dump and still in the last: the cycle '
          'collector did not run' in text, text[-600:])
    check('text: survivors line and the Leak cluster first', rc == 0 and
          'Survivors (new since dump 1, alive in dump 2 and still in dump 3): ' in text and
          '   1. Leak \u00d7200 retaining ' in text, text[:1500])
    return d


def check_chain_signature(dumps):
    """The chain's cluster is one shape, "module .__dict__ → dict
    ['CHAIN'] → Node .next+ → Node" (a repeated step written once with
    "+"), whichever member represents it and however long its path: the
    signature names the shape, so the same leak reads the same in every
    run (and with two dumps or three)."""
    want = "module .__dict__ \u2192 dict ['CHAIN'] \u2192 Node .next+ \u2192 Node"
    for name, args in (('three dumps', dumps), ('first and last', [dumps[0], dumps[2]])):
        rc, out, err = run(['diff', '--json'] + args)
        if not check(name + ': exit 0', rc == 0, err):
            continue
        chain = one_cluster(strict(out), lambda c: 'Node' in c['types'])
        check(name + ': chain signature is the shape', chain is not None and
              chain['signature'] == want, chain and chain['signature'])


def check_ndjson(dumps, d):
    """--ndjson: one cluster per line, the JSON document's survivors."""
    rc, out, err = run(['diff', '--ndjson'] + dumps)
    if not check('--ndjson: exit 0', rc == 0, err):
        return
    check('--ndjson: lines end with a newline, none empty',
          out.endswith('\n') and '' not in out[:-1].split('\n'), out[-200:])
    try:
        lines = [strict(line) for line in out.splitlines()]
    except ValueError as e:
        check('--ndjson: each line strict JSON', False, e)
        return
    check('--ndjson: each line an object', all(isinstance(x, dict) for x in lines), out[:300])
    check('--ndjson: the same clusters as --json', d is not None and lines == d['survivors'],
          (len(lines), d and len(d['survivors'])))
    rc, out1, err = run(['diff', '--ndjson', '-n', '1'] + dumps)
    check('--ndjson -n 1: the first cluster only', rc == 0 and d is not None and
          [strict(x) for x in out1.splitlines()] == d['survivors'][:1], out1[:300])


def check_growth(dumps, identity, extra):
    rc, out, err = run(['diff', '--json', '-n', '0'] + dumps)
    if not check('diff --json: exit 0', rc == 0, err):
        return
    d = strict(out)
    check('identity ' + identity, d['identity'] == identity, d['identity'])
    check('one entry per dump', [x['file'] for x in d['dumps']] == dumps, d['dumps'])
    types = {t['type']: t for t in d['types']}
    want = {'Leak': ([200, 400, 600], 400, 0, 200, 'growing'),
            'Cache': ([3, 3, 3], 0, 0, 0, 'flat')}
    want.update(extra)
    for name, (counts, new, deleted, surv, trend) in want.items():
        t = types.get(name)
        check(name + ': counts, new, deleted, survivors, trend',
              t is not None and (t['counts'], t['new'], t['deleted'], t['survivors'],
                                 t['trend']) == (counts, new, deleted, surv, trend), t)
    check('Temp: none left', 'Temp' not in types or types['Temp']['counts'] == [0, 0, 0],
          types.get('Temp'))
    check('Leak grew most', d['types'][0]['type'] == 'Leak', d['types'][0]['type'])
    rc, text, err = run(['diff'] + dumps)
    rows = text.split('\nTypes, largest growth first', 1)[-1].splitlines()
    check('text: exit 0, the Leak row first in the types table', rc == 0 and len(rows) > 2 and
          rows[1].split()[0] == 'TYPE' and rows[2].split()[0] == 'Leak', text[:1500])
    rc, _, err = run(['diff', '--json', '-n', '0', dumps[0], dumps[-1]])
    check('two dumps: exit 0', rc == 0, err)


def check_v8_survivors(dumps):
    """grow.js: 200 Leak pushed onto globalThis.kept after the first
    snapshot are still there in the last."""
    rc, out, err = run(['diff', '--json'] + dumps)
    if not check('v8 survivors: exit 0', rc == 0, err):
        return
    d = strict(out)
    leak = one_cluster(d, lambda c: 'Leak' in c['types'])
    check('v8: Leak cluster 200, only Leak, alive', leak is not None and
          leak['count'] == 200 and leak['types'] == {'Leak': 200} and
          leak['garbage'] is False and leak['retained'] >= leak['bytes'] > 0, leak)
    if leak:
        check('v8: Leak signature', leak['signature'] ==
              'global .kept \u2192 Array [*] \u2192 Leak', leak['signature'])
        check('v8: Leak path global, Array, Leak',
              [x['type'] for x in leak['path']] == ['global', 'Array', 'Leak'] and
              leak['path'][-1]['id'].startswith('@'), leak['path'])
    check('v8: no Temp or Cache survivor',
          not any(t in c['types'] for c in d['survivors'] for t in ('Temp', 'Cache')),
          [c['types'] for c in d['survivors']])
    rc, out, err = run(['diff', '--ndjson'] + dumps)
    check('v8 --ndjson: the same clusters', rc == 0 and
          [strict(x) for x in out.splitlines()] == d['survivors'], out[:300])


def check_refjson(root):
    """Structural identity: app-1.json is app-0.json with 3 more Item
    objects (values c, d, e) under App.items."""
    a, b = (os.path.join(root, 'testdata/refjson/app-%d.json' % k) for k in range(2))
    rc, out, err = run(['diff', '--json', a, b])
    if not check('refjson: exit 0', rc == 0, err):
        return
    d = strict(out)
    check('refjson: format, identity structural',
          d['format'] == 'refjson' and d['identity'] == 'structural', d['identity'])
    check('refjson: objects 7, 10', [x['objects'] for x in d['dumps']] == [7, 10], d['dumps'])
    types = {t['type']: t for t in d['types']}
    it = types.get('Item')
    check('refjson: Item 2 -> 5, new 3, deleted 0, survivors 3, growing', it is not None and
          (it['counts'], it['new'], it['deleted'], it['survivors'], it['trend']) ==
          ([2, 5], 3, 0, 3, 'growing'), it)
    check('refjson: every other type unchanged', all(
        t['new'] == 0 and t['deleted'] == 0 and t['count_delta'] == 0
        for n, t in types.items() if n != 'Item'), d['types'])
    check('refjson: one survivor cluster of 3 Item', len(d['survivors']) == 1 and
          d['survivors'][0]['count'] == 3 and d['survivors'][0]['types'] == {'Item': 3} and
          d['survivors'][0]['signature'] == 'App .items \u2192 list [*] \u2192 Item' and
          d['summary']['survivors'] == 3, d['survivors'])
    check('refjson: the App/Config cycle persisted, none new',
          [(c['counts'], c['new'], c['persisted']) for c in d['cycles']] == [([1, 1], 0, 1)],
          d['cycles'])
    # app-2.json: app-1.json with the first Item's value "a" now "z": at
    # the same path, another object (structural fingerprint: the value).
    c = os.path.join(root, 'testdata/refjson/app-2.json')
    rc, out, err = run(['diff', '--json', a, b, c])
    if check('refjson, three dumps: exit 0', rc == 0, err):
        d = strict(out)
        it = {t['type']: t for t in d['types']}.get('Item')
        check('refjson: Item 2, 5, 5: new 4 (c, d, e, z), deleted 1 (a), survivors 3',
              it is not None and (it['counts'], it['new'], it['deleted'], it['survivors'],
                                  it['trend']) == ([2, 5, 5], 4, 1, 3, 'mixed'), it)
        check('refjson: survivors c, d, e: one cluster of 3',
              [(x['count'], x['types']) for x in d['survivors']] == [(3, {'Item': 3})],
              d['survivors'])
    rc, out, err = run(['diff', '--json', a, a])
    check('refjson: a dump against itself: no survivor, nothing new', rc == 0 and
          strict(out)['summary']['survivors'] == 0 and
          all(t['new'] == 0 for t in strict(out)['types']), out[:500])


def check_fail_if(dumps):
    """--fail-if on grow.py's dumps.  From the construction: at least 202
    survivors (200 Leak, 2 Cycle) of some 25000 objects; they retain a few
    KB (200 Leak of 16 B or more, holding small cached ints); 400 Leak, 4
    Cycle and more made between the first and the last dump; garbage
    cycles 1, 2, 3 (2 new); no alive cycle made by the steps."""
    expect = [('survivors>100', 1), ('survivors>100000', 0), ('survivors>=202', 1),
              ('retained>1KB', 1), ('retained>1MB', 0), ('growth>1KiB', 1),
              ('growth>1MiB', 0), ('objects>=1', 1), ('objects>=404', 1), ('objects<0', 0),
              ('garbage-cycles-growing', 1), ('cycles-growing', 0), ('new-cycles>0', 1),
              ('new-cycles=2', 1), ('new-cycles>2', 0), ('garbage-cycles=3', 1),
              ('garbage-cycles<3', 0)]
    for cond, want in expect:
        rc, out, err = run(['diff', '--fail-if=' + cond] + dumps)
        lines = err.strip().splitlines()
        if want:
            check('--fail-if ' + cond + ': exit 1, one line naming it',
                  rc == 1 and len(lines) == 1 and ('--fail-if ' + cond + ' holds') in lines[0]
                  and out.startswith('cycletool diff: 3 python dumps'), (rc, err))
        else:
            check('--fail-if ' + cond + ': exit 0, quiet', rc == 0 and err == '', (rc, err))
    # Several: exit 1 when one holds; each that holds named.
    rc, out, err = run(['diff', '--fail-if', 'survivors>100000', '--fail-if',
                        'garbage-cycles-growing', '--fail-if', 'cycles-growing'] + dumps)
    check('several --fail-if: exit 1, only the one that holds named',
          rc == 1 and 'garbage-cycles-growing holds' in err and 'survivors>100000' not in err
          and 'cycles-growing holds' not in err.replace('garbage-cycles-growing', ''), (rc, err))
    # --json lists each condition with its value.
    conds = ['survivors>100', 'retained>1MB', 'new-cycles>0', 'cycles-growing']
    rc, out, err = run(['diff', '--json'] + ['--fail-if=' + c for c in conds] + dumps)
    if check('--json --fail-if: exit 1', rc == 1, (rc, err)):
        d = strict(out)
        fi = d.get('fail_if')
        check('--json: fail_if lists each condition', fi is not None and
              [x['condition'] for x in fi] == conds and
              all(set(x) == {'condition', 'value', 'holds'} for x in fi), fi)
        if fi and len(fi) == 4:
            check('--json: survivors value = summary, holds',
                  fi[0]['value'] == d['summary']['survivors'] and fi[0]['holds'] is True, fi[0])
            check('--json: retained value = summary, does not hold',
                  fi[1]['value'] == d['summary']['retained'] and fi[1]['holds'] is False, fi[1])
            check('--json: new-cycles 2, holds', fi[2]['value'] == 2 and fi[2]['holds'] is True,
                  fi[2])
            check('--json: cycles-growing 0, does not hold',
                  fi[3]['value'] == 0 and fi[3]['holds'] is False, fi[3])
    rc, out, err = run(['diff', '--json'] + dumps)
    check('--json without --fail-if: no fail_if member', rc == 0 and
          'fail_if' not in strict(out), out[-300:])
    for bad in ['survivors>>1', 'foo>1', 'retained>5XB', 'survivors>1MB', 'survivors',
                'survivors>', 'garbage-cycles-growing>1', 'growth>1 KB', '>5']:
        rc, out, err = run(['diff', '--fail-if', bad] + dumps)
        check('--fail-if ' + bad + ': exit 2 naming it', rc == 2 and out == '' and
              ("'" + bad + "'") in err and 'diff --help' in err, (rc, err))


def check_origin(p, q):
    """p and q: two runs of grow.py (two processes)."""
    rc, out, err = run(['diff', p[0], q[1]])
    check('two processes: exit 0, a warning naming both files',
          rc == 0 and out != '' and 'warning:' in err and os.path.basename(p[0]) in err and
          os.path.basename(q[1]) in err and 'process' in err, (rc, err))
    rc, out, err = run(['diff', '--strict', p[0], q[1]])
    check('two processes, --strict: exit 2, no report', rc == 2 and out == '' and
          'warning:' not in err and os.path.basename(q[1]) in err, (rc, err))
    rc, out, err = run(['diff', '--json', p[0], q[1]])
    check('two processes, --json: pids of both', rc == 0 and
          [x.get('pid') for x in strict(out)['dumps']] != [None, None] and
          len({x.get('pid') for x in strict(out)['dumps']}) == 2, out[:400])
    rc, out, err = run(['diff', p[0], p[2], p[1]])
    check('out of order: exit 0, a warning naming both files',
          rc == 0 and out != '' and 'warning:' in err and os.path.basename(p[2]) in err and
          os.path.basename(p[1]) in err and 'oldest first' in err, (rc, err))
    rc, out, err = run(['diff', '--strict', p[0], p[2], p[1]])
    check('out of order, --strict: exit 2, no report', rc == 2 and out == '' and
          'oldest first' in err, (rc, err))
    rc, out, err = run(['diff', '--strict'] + p)
    check('in order, one process, --strict: exit 0, quiet', rc == 0 and err == '', (rc, err))
    rc, out, err = run(['diff', '--json'] + p)
    check('seq 1, 2, 3 and one pid', rc == 0 and
          [x.get('seq') for x in strict(out)['dumps']] == [1, 2, 3] and
          len({x.get('pid') for x in strict(out)['dumps']}) == 1, out[:400])


def check_warn_once(p, q):
    """A warning about a pair of dumps is said once, not again for every
    later dump added."""
    rc, out, err = run(['diff', p[0], q[1], q[2]])
    lines = [x for x in err.splitlines() if 'warning:' in x]
    check('two processes, three dumps: exit 0, one warning', rc == 0 and len(lines) == 1, err)
    rc, out, err = run(['diff', p[1], p[0], p[2]])
    lines = [x for x in err.splitlines() if 'warning:' in x]
    check('out of order first, three dumps: exit 0, one warning', rc == 0 and len(lines) == 1,
          err)


def check_bad(root, tmp):
    pool = os.path.join(root, 'testdata/python/pool.jsonl')
    tiny = os.path.join(root, 'testdata/v8/tiny.heapsnapshot')
    rc, out, err = run(['diff', pool])
    check('one dump: exit 2, usage text', rc == 2 and out == '' and 'two dumps' in err and
          "Try 'cycletool diff --help'" in err, (rc, err))
    rc, out, err = run(['diff'])
    check('no dump: exit 2', rc == 2 and out == '' and 'two dumps' in err, (rc, err))
    rc, out, err = run(['diff', tiny, pool])
    check('different formats: exit 2, naming the file',
          rc == 2 and 'pool.jsonl' in err and out == '', (rc, err))
    rc, out, err = run(['diff', pool, tiny])
    check('different formats (v8 second): exit 2, naming the file',
          rc == 2 and 'tiny.heapsnapshot' in err and out == '', (rc, err))
    cut = os.path.join(tmp, 'cut.jsonl')
    with open(pool, 'rb') as f, open(cut, 'wb') as g:
        g.write(f.read()[:5000])
    rc, out, err = run(['diff', pool, cut])
    check('truncated: exit 3, one line naming the file', rc == 3 and out == '' and
          'cut.jsonl' in err and len(err.strip().splitlines()) == 1, (rc, err))
    # The last of three dumps cut in the middle of a line: the message
    # names the file and that (last, partial) line.
    dumps = grow_py(root, os.path.join(tmp, 'p'))
    with open(dumps[2], 'rb') as f:
        data = f.read()
    half = len(data) // 2
    while data[half - 1:half] == b'\n' or data[half:half + 1] == b'\n':
        half += 1
    last = os.path.join(tmp, 'last-cut.jsonl')
    with open(last, 'wb') as g:
        g.write(data[:half])
    line = data[:half].count(b'\n') + 1
    rc, out, err = run(['diff', dumps[0], dumps[1], last])
    check('last dump cut mid-line: exit 3, one line naming the file and line %d' % line,
          rc == 3 and out == '' and len(err.strip().splitlines()) == 1 and
          "'" + last + "'" in err and ('line %d' % line) in err, (rc, err))
    rc, out, err = run(['diff', dumps[0], os.path.join(tmp, 'nonexistent.jsonl')])
    check('nonexistent file: exit 3, naming it', rc == 3 and out == '' and
          'nonexistent.jsonl' in err and len(err.strip().splitlines()) == 1, (rc, err))
    rc, out, err = run(['diff', '--json', '--ndjson', dumps[0], dumps[1]])
    check('--json --ndjson: exit 2', rc == 2 and out == '' and '--ndjson' in err, (rc, err))
    rc, out, err = run(['diff', '-n', 'x', pool, pool])
    check('bad --top: exit 2', rc == 2, (rc, err))
    if os.path.exists('/dev/full'):
        for mode in ([], ['--json'], ['--ndjson']):
            with open('/dev/full', 'wb') as full:
                p = subprocess.run(ctcheck.command(['diff'] + mode + dumps[:2]), stdout=full,
                                   stderr=subprocess.PIPE, timeout=900)
            err = p.stderr.decode('utf-8', 'replace')
            check('output not written %s: exit 4, one line' % (mode or ['text']),
                  p.returncode == 4 and len(err.strip().splitlines()) == 1 and
                  'standard output' in err, (p.returncode, err))
    rc, out, err = run(['diff', '--help'])
    check('--help: exit 0, the usage and every option', rc == 0 and
          out.startswith('Usage: cycletool diff') and
          all(o in out for o in ('--json', '--ndjson', '--fail-if', '--strict', '--top')),
          out[:300])


def main():
    ctcheck.EXE, root, case = sys.argv[1], os.path.abspath(sys.argv[2]), sys.argv[3]
    with tempfile.TemporaryDirectory() as tmp:
        if case == 'python':
            dumps = grow_py(root, os.path.join(tmp, 'p'))
            check_growth(dumps, 'address',
                         {'Cycle': ([2, 4, 6], 4, 0, 2, 'growing'),
                          'Entry': ([5, 5, 5], 5, 5, 0, 'flat'),
                          'Node': ([51, 101, 151], 100, 0, 50, 'growing')})
            d = check_python_survivors(dumps)
            check_ndjson(dumps, d)
        elif case == 'chain-signature':
            check_chain_signature(grow_py(root, os.path.join(tmp, 'p')))
        elif case == 'v8':
            node = shutil.which('node')
            if not node:
                print('node not found: skipped')
                sys.exit(77)
            subprocess.run([node, '--expose-gc', os.path.join(root, 'testdata/v8/grow.js'),
                            os.path.join(tmp, 's')], check=True, capture_output=True)
            dumps = [os.path.join(tmp, 's-%d.heapsnapshot' % k) for k in range(3)]
            check_growth(dumps, 'exact', {})
            check_v8_survivors(dumps)
        elif case == 'refjson':
            check_refjson(root)
        elif case == 'fail-if':
            check_fail_if(grow_py(root, os.path.join(tmp, 'p')))
        elif case == 'origin':
            check_origin(grow_py(root, os.path.join(tmp, 'p')),
                         grow_py(root, os.path.join(tmp, 'q')))
        elif case == 'warn-once':
            check_warn_once(grow_py(root, os.path.join(tmp, 'p')),
                            grow_py(root, os.path.join(tmp, 'q')))
        elif case == 'bad':
            check_bad(root, tmp)
        else:
            print('unknown case ' + case, file=sys.stderr)
            sys.exit(2)
    print(f'{len(failures)} check(s) failed' if failures else 'all checks passed')
    sys.exit(1 if failures else 0)


if __name__ == '__main__':
    main()

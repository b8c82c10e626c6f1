#!/usr/bin/env python3
"""Java heap dumps (HPROF): the loader on a real dump and on small dumps
written here.

usage: test_hprof.py CYCLETOOL SOURCE_ROOT
       test_hprof.py CYCLETOOL SOURCE_ROOT --fresh     on a dump made now
       test_hprof.py CYCLETOOL SOURCE_ROOT --visualvm  against VisualVM
       test_hprof.py --write-seeds DIR     the fuzz corpus's seeds

--fresh runs testdata/java/make_dump.sh (skipped, status 77, without a
JDK) and checks the same program facts on its dump.  --visualvm runs
testdata/java/visualvm_check.sh (skipped without javac and the visualvm
package) on the committed dump: every class's instance count and bytes,
and the 10 biggest retainers, must be VisualVM's (cycletool(1), HPROF:
a class object's retained size differs when it shares children with
garbage, which VisualVM counts as parents).

testdata/java/leaky.hprof.gz was made by testdata/java/make_dump.sh from
Leaky.java (OpenJDK 17): the tests read it, they need no Java.  What it
holds is checked against what the program made and against a small HPROF
reader of this file (counts per class, the weak referent's id).

The small dumps come from the writer below: identifier size 4 and 8,
versions 1.0.1 and 1.0.2, an instance before its class dump, a string
in UTF-16, a weak referent; and broken ones (truncations, a bad header,
identifier size 3, an unknown sub-record tag, lying lengths, field bytes
that do not fit the class, an undeclared class), which must exit 3 with
one line naming the byte offset.
The binary is run as "$CT_WRAPPER CYCLETOOL ..." when CT_WRAPPER is set
(CT_TEST_SMALL: fewer truncation offsets).
"""
import gzip
import json
import os
import re
import shlex
import struct
import subprocess
import sys
import tempfile

failures = []


def check(cond, what):
    if cond:
        print(f'ok   {what}')
    else:
        failures.append(what)
        print(f'FAIL {what}')


def run(exe, args, stdin=None):
    wrapper = shlex.split(os.environ.get('CT_WRAPPER', ''))
    p = subprocess.run(wrapper + [exe] + args, input=stdin, capture_output=True, timeout=900)
    return p.returncode, p.stdout.decode('utf-8', 'replace'), p.stderr.decode('utf-8', 'replace')


# ---- a small HPROF reader: counts per class, ids by class ----

PRIM = dict(zip('ZCFDBSIJ', ['boolean', 'char', 'float', 'double', 'byte', 'short', 'int', 'long']))


def java_name(n):
    m = re.fullmatch(r'(\[+)(L(.*);|([ZCFDBSIJ]))', n)
    if not m:
        return n
    return (m.group(3) or PRIM.get(m.group(4), '')) + '[]' * len(m.group(1))

def read_bytes(path):
    """The file's bytes, gunzipped when it is gzip (the committed dump is)."""
    with open(path, 'rb') as f:
        data = f.read()
    return gzip.decompress(data) if data[:2] == b'\x1f\x8b' else data


def read_hprof(path):
    data = read_bytes(path)
    nul = data.index(b'\0')
    idsize = struct.unpack('>I', data[nul + 1:nul + 5])[0]
    fid = '>I' if idsize == 4 else '>Q'
    sizes = {2: idsize, 4: 1, 5: 2, 6: 4, 7: 8, 8: 1, 9: 2, 10: 4, 11: 8}
    strings, names, by_class = {}, {}, {}
    prim = {4: 'boolean[]', 5: 'char[]', 6: 'float[]', 7: 'double[]', 8: 'byte[]',
            9: 'short[]', 10: 'int[]', 11: 'long[]'}

    def rid(o):
        return struct.unpack(fid, data[o:o + idsize])[0]

    o = nul + 13
    while o < len(data):
        tag = data[o]
        length = struct.unpack('>I', data[o + 5:o + 9])[0]
        body = o + 9
        if tag == 0x01:
            strings[rid(body)] = data[body + idsize:body + length].decode('utf-8', 'replace')
        elif tag == 0x02:
            names[rid(body + 4)] = strings[rid(body + 8 + idsize)].replace('/', '.')
        elif tag in (0x0c, 0x1c):
            p, end = body, body + length
            while p < end:
                t = data[p]
                p += 1
                if t in (0xff, 0x05, 0x07):
                    p += idsize
                elif t == 0x01:
                    p += 2 * idsize
                elif t in (0x04, 0x06):
                    p += idsize + 4
                elif t in (0x02, 0x03, 0x08):
                    p += idsize + 8
                elif t == 0x20:
                    cid = rid(p)
                    by_class.setdefault('class ' + java_name(names[cid]), []).append(cid)
                    p += 7 * idsize + 8
                    n = struct.unpack('>H', data[p:p + 2])[0]
                    p += 2
                    for _ in range(n):
                        p += 3 + sizes[data[p + 2]]
                    n = struct.unpack('>H', data[p:p + 2])[0]
                    p += 2
                    for _ in range(n):
                        p += idsize + 1 + sizes[data[p + idsize]]
                    n = struct.unpack('>H', data[p:p + 2])[0]
                    p += 2 + n * (idsize + 1)
                elif t == 0x21:
                    oid, cid = rid(p), rid(p + idsize + 4)
                    n = struct.unpack('>I', data[p + 2 * idsize + 4:p + 2 * idsize + 8])[0]
                    by_class.setdefault(names[cid], []).append(oid)
                    p += 2 * idsize + 8 + n
                elif t == 0x22:
                    oid = rid(p)
                    n = struct.unpack('>I', data[p + idsize + 4:p + idsize + 8])[0]
                    by_class.setdefault(java_name(names[rid(p + idsize + 8)]), []).append(oid)
                    p += 2 * idsize + 8 + n * idsize
                elif t == 0x23:
                    oid = rid(p)
                    n = struct.unpack('>I', data[p + idsize + 4:p + idsize + 8])[0]
                    et = data[p + idsize + 8]
                    by_class.setdefault(prim[et], []).append(oid)
                    p += idsize + 9 + n * sizes[et]
                else:
                    raise ValueError(f'sub-record 0x{t:02x}')
        o = body + length
    return by_class


# ---- a small HPROF writer ----

class Writer:
    """Builds a dump: strings, classes (name, super, fields, statics),
    instances, arrays and roots, in the order they are added."""

    def __init__(self, idsize=8, version=b'JAVA PROFILE 1.0.2'):
        self.idsize, self.version = idsize, version
        self.fid = '>I' if idsize == 4 else '>Q'
        self.records = []      # top-level (tag, body)
        self.sub = []          # heap dump sub-records
        self.sids = {}
        self.next_sid = 0x1000
        self.serial = 1

    def id(self, v):
        return struct.pack(self.fid, v)

    def string(self, s):
        if s not in self.sids:
            self.next_sid += 8
            self.sids[s] = self.next_sid
            self.records.append((0x01, self.id(self.next_sid) + s.encode()))
        return self.sids[s]

    def load_class(self, cid, name):
        sid = self.string(name)
        self.records.append((0x02, struct.pack('>I', self.serial) + self.id(cid)
                             + struct.pack('>I', 0) + self.id(sid)))
        self.serial += 1

    def class_dump(self, cid, super_id, fields, statics=(), size=0):
        b = bytes([0x20]) + self.id(cid) + struct.pack('>I', 0) + self.id(super_id)
        b += self.id(0) * 5 + struct.pack('>I', size) + struct.pack('>H', 0)
        b += struct.pack('>H', len(statics))
        for name, t, v in statics:
            b += self.id(self.string(name)) + bytes([t]) + self.value(t, v)
        b += struct.pack('>H', len(fields))
        for name, t in fields:
            b += self.id(self.string(name)) + bytes([t])
        self.sub.append(b)

    def value(self, t, v):
        fmt = {2: self.fid, 4: '>B', 5: '>H', 6: '>f', 7: '>d', 8: '>b', 9: '>h', 10: '>i',
               11: '>q'}[t]
        return struct.pack(fmt, v)

    def instance(self, oid, cid, values):
        """values: (type, value) in layout order (the class's own fields,
        then its superclass's)."""
        fb = b''.join(self.value(t, v) for t, v in values)
        self.sub.append(bytes([0x21]) + self.id(oid) + struct.pack('>I', 0) + self.id(cid)
                        + struct.pack('>I', len(fb)) + fb)

    def object_array(self, oid, cid, elems):
        self.sub.append(bytes([0x22]) + self.id(oid) + struct.pack('>II', 0, len(elems))
                        + self.id(cid) + b''.join(self.id(e) for e in elems))

    def prim_array(self, oid, t, raw, n):
        self.sub.append(bytes([0x23]) + self.id(oid) + struct.pack('>II', 0, n) + bytes([t])
                        + raw)

    def root(self, oid, tag=0xff):
        extra = {0xff: b'', 0x05: b'', 0x07: b'', 0x01: self.id(0), 0x04: b'\0' * 4,
                 0x06: b'\0' * 4, 0x02: b'\0' * 8, 0x03: b'\0' * 8, 0x08: b'\0' * 8}[tag]
        self.sub.append(bytes([tag]) + self.id(oid) + extra)

    def bytes(self, segment_tag=0x1c):
        out = self.version + b'\0' + struct.pack('>IQ', self.idsize, 0)
        for tag, body in self.records:
            out += bytes([tag]) + struct.pack('>II', 0, len(body)) + body
        seg = b''.join(self.sub)
        out += bytes([segment_tag]) + struct.pack('>II', 0, len(seg)) + seg
        out += bytes([0x2c]) + struct.pack('>II', 0, 0)
        return out


OBJ, BYTE, INT, CHAR = 2, 8, 10, 5


def small_dump(idsize=8, version=b'JAVA PROFILE 1.0.2', instance_first=False, android=False):
    """java.lang.Object; A {B b; int n} and B {A a} in a cycle held by a
    root; a WeakReference whose referent (a C) nothing else holds; a
    String "héllo" in UTF-16 held by A's static; an Object[] of 3.
    android: version 1.0.3 with a HEAP DUMP INFO, an interned-string root
    on the String, an "unreachable" record on the C (not a root) and a
    PRIMITIVE ARRAY NODATA int[] of 1000."""
    if android:
        version = b'JAVA PROFILE 1.0.3'

    w = Writer(idsize, version)
    OBJECT, A, B, C, REF, WREF, STR, BARR, OARR = range(0x100, 0x100 + 9 * 0x10, 0x10)
    for cid, name in [(OBJECT, 'java/lang/Object'), (A, 'A'), (B, 'B'), (C, 'C'),
                      (REF, 'java/lang/ref/Reference'), (WREF, 'java/lang/ref/WeakReference'),
                      (STR, 'java/lang/String'), (BARR, '[B'),
                      (OARR, '[Ljava/lang/Object;')]:
        w.load_class(cid, name)
    a, b, c, wr, s, sv, arr = 0x5000, 0x5010, 0x5020, 0x5030, 0x5040, 0x5050, 0x5060
    w.root(a, 0x03)
    w.root(wr, 0x01)
    w.root(arr, 0x08)
    if android:
        w.sub.append(bytes([0xfe]) + struct.pack('>I', 0x50) + w.id(w.string('app')))
        w.sub.append(bytes([0x89]) + w.id(s))
        w.sub.append(bytes([0x90]) + w.id(c))
        w.sub.append(bytes([0xc3]) + w.id(0x5070) + struct.pack('>II', 0, 1000) + bytes([INT]))
    if instance_first:
        w.instance(b, B, [(OBJ, a)])
    w.class_dump(OBJECT, 0, [])
    w.class_dump(A, OBJECT, [('b', OBJ), ('n', INT)], statics=[('GREETING', OBJ, s)])
    w.class_dump(B, OBJECT, [('a', OBJ)])
    w.class_dump(C, OBJECT, [('x', INT)])
    w.class_dump(REF, OBJECT, [('referent', OBJ), ('queue', OBJ)])
    w.class_dump(WREF, REF, [])
    w.class_dump(STR, OBJECT, [('value', OBJ), ('hash', INT), ('coder', BYTE)])
    w.class_dump(BARR, OBJECT, [])
    w.class_dump(OARR, OBJECT, [])
    w.instance(a, A, [(OBJ, b), (INT, 7)])
    if not instance_first:
        w.instance(b, B, [(OBJ, a)])
    w.instance(c, C, [(INT, 1)])
    w.instance(wr, WREF, [(OBJ, c), (OBJ, 0)])
    w.instance(s, STR, [(OBJ, sv), (INT, 0), (BYTE, 1)])
    text = 'héllo'.encode('utf-16-le')
    w.prim_array(sv, BYTE, text, len(text))
    w.object_array(arr, OARR, [a, 0, c])
    return w.bytes(), dict(a=a, b=b, c=c, wr=wr, s=s, arr=arr)


def write_seeds(d):
    os.makedirs(d, exist_ok=True)
    for name, kw in [('small8', {}), ('small4', {'idsize': 4}),
                     ('v101', {'version': b'JAVA PROFILE 1.0.1'}),
                     ('instance-first', {'instance_first': True}),
                     ('android', {'android': True})]:
        with open(os.path.join(d, name + '.hprof'), 'wb') as f:
            f.write(small_dump(**kw)[0])
    with open(os.path.join(d, 'roots.hprof'), 'wb') as f:   # root kinds, 4-byte references
        f.write(roots_dump((12, 16))[0])


# ---- the tests ----

def load_json(exe, args, what):
    rc, out, err = run(exe, args)
    if rc not in (0, 1):
        check(False, f'{what}: status {rc}: {err.strip()[:300]}')
        return None
    try:
        return json.loads(out)
    except ValueError as e:
        check(False, f'{what}: bad JSON: {e}')
        return None


def test_real(exe, dump):
    doc = load_json(exe, ['scan', '--json', '--members', dump], 'scan leaky.hprof')
    if doc is None:
        return
    # the Held object only the thread "holder" keeps, in a local variable
    top = load_json(exe, ['top', '--json', '-n', '100000', dump], 'top leaky.hprof')
    held = [o['id'] for o in (top or {}).get('objects', []) if o['type'] == 'Leaky$Held']
    check(len(held) == 1, 'top lists the Held object')
    if held:
        rc, out, err = run(exe, ['path', dump, held[0]])
        check(rc == 0 and out.splitlines()[-1].startswith(
            f'from {held[0]} (root: thread holder stack frame)'),
            f'path: the Held object is a root of thread holder\'s stack frame ({out[-120:]!r})')
        p = load_json(exe, ['path', '--json', dump, held[0]], 'path --json Held')
        check(p is not None and p['root']['gc_root'] == 'thread holder stack frame',
              'path --json: root.gc_root says the thread\'s stack frame')
    check(doc['format'] == 'hprof', 'leaky.hprof probes as hprof')
    check(doc['summary']['dangling_references'] == 0, 'no dangling references')
    sccs = doc['sccs']
    pair = [s for s in sccs if s['signature'] == 'Leaky$Owner .pet → Leaky$Pet .owner → Leaky$Owner']
    check(len(pair) == 1 and not pair[0]['garbage'] and pair[0]['size'] == 2
          and pair[0]['bytes'] == 64,
          'scan: the Owner <-> Pet cycle is alive, 2 objects, 64 bytes, with its signature')
    # The application's cycles first: the alive components that are not the
    # runtime's each hold a class of the program's (Leaky...), and the
    # JDK's own (method handles, a map and its views) are the runtime's.
    def jdk(t):
        t = t[6:] if t.startswith('class ') else t
        return t.startswith(('java.', 'javax.', 'jdk.', 'sun.', 'com.sun.')) or \
            (t.endswith('[]') and '.' not in t)
    app = [s for s in sccs if not s['garbage'] and not s.get('runtime')]
    check(bool(app) and all(any(not jdk(t) for t in s['types']) for s in app),
          'scan: every alive application component holds a class of the program\'s '
          f'{[s["signature"][:80] for s in app if all(jdk(t) for t in s["types"])][:3]}')
    check(any(s.get('runtime') for s in sccs) and
          all(all(jdk(t) or t.startswith('class ') for t in s['types'])
              for s in sccs if s.get('runtime') and not any(
                  t.startswith('class Leaky') for t in s['types'])),
          'scan: the runtime\'s components are the JDK\'s and class objects')
    check(len(app) <= 3 and any(s['signature'].startswith('Leaky$Owner') for s in app),
          'scan: Owner <-> Pet among the first alive application cycles '
          f'{[s["signature"][:80] for s in app]}')
    orphans = [s for s in sccs
               if s['signature'] == 'Leaky$Orphan .other → Leaky$Orphan .other → Leaky$Orphan']
    check(len(orphans) == 3 and all(s['garbage'] for s in orphans),
          'scan: the 3 Orphan pairs nothing holds are garbage cycles')

    # counts per class against what Leaky.java made and against the reader
    by_class = read_hprof(dump)
    d = load_json(exe, ['diff', '--json', dump, dump], 'diff leaky.hprof')
    counts = {t['type']: t['counts'][0] for t in d['types']} if d else {}
    made = {'Leaky$Owner': 1, 'Leaky$Pet': 1, 'Leaky$CacheEntry': 200, 'Leaky$Link': 50,
            'Leaky$Weakling': 1, 'Leaky$Orphan': 6, 'Leaky$Held': 1, 'class Leaky': 1}
    for t, n in made.items():
        check(counts.get(t) == n and len(by_class.get(t, [])) == n,
              f'{t}: {n} made, cycletool counts {counts.get(t)}, the reader {len(by_class.get(t, []))}')
    mismatch = [t for t in by_class if counts.get(t) != len(by_class[t])]
    check(not mismatch and sum(counts.values()) == sum(map(len, by_class.values())),
          f'every class counted as the reader counts it ({len(by_class)} classes; '
          f'differ: {mismatch[:5]})')
    # the sizes: VisualVM's rule with 8-byte ids and references
    sizes = {t['type']: t['bytes'][0] for t in d['types']} if d else {}
    check(sizes.get('Leaky$Owner') == 32 and sizes.get('Leaky$Weakling') == 24
          and sizes.get('Leaky$CacheEntry') == 200 * 32,
          'shallow sizes: header 16 + fields, aligned to 8 (Owner 32, Weakling 24)')

    # top: the cache is among the biggest retainers
    doc = load_json(exe, ['top', '--json', dump], 'top leaky.hprof')
    if doc:
        objs = doc['objects'][:5]
        cache = [o for o in objs if o['type'] == 'java.util.HashMap'
                 and o['held_by'] == 'class Leaky .CACHE']
        check(len(cache) == 1 and cache[0]['retained'] > 200 * (512 + 16),
              'top: the HashMap cache (class Leaky .CACHE) is among the 5 biggest, '
              'retaining the 200 payloads')
    # top: a root nothing in the dump refers to is held by its kind of
    # root, as path names it
    doc = load_json(exe, ['top', '--json', '-n', '100', dump], 'top -n 100 leaky.hprof')
    if doc:
        bare = [o for o in doc['objects'] if o['holder'] is None]
        kinds = []
        for o in bare[:3]:
            p = load_json(exe, ['path', '--json', dump, o['id']], 'path to ' + o['id'])
            kinds.append((o['held_by'], 'root: %s' % (p or {}).get('root', {}).get('gc_root')))
        check(bare and all(a == b for a, b in kinds) and
              all((o['held_by'] or '').startswith('root: ') for o in bare),
              f'top: the roots no object refers to read "root: KIND" as path says ({kinds})')

    # path to a cache entry: from a GC root, through .CACHE
    entry = by_class['Leaky$CacheEntry'][0]
    doc = load_json(exe, ['path', '--json', dump, hex(entry)], 'path to a cache entry')
    if doc:
        labels = [p.get('label') for p in doc['path']]
        check(doc['reachable'] and doc['root']['kind'] == 'flagged' and '.CACHE' in labels
              and doc['path'][-1]['type'] == 'Leaky$CacheEntry',
              f'path: a cache entry is reached from a GC root through .CACHE ({labels})')

    # the weak referent keeps nothing alive: the Weakling is garbage
    weakling = by_class['Leaky$Weakling'][0]
    rc, out, err = run(exe, ['path', '--json', dump, hex(weakling)])
    doc = json.loads(out) if out else {}
    check(rc == 1 and doc.get('reachable') is False and doc.get('garbage') is True,
          'path: the Weakling, held only by a WeakReference, is unreachable garbage')

    # strings show their value
    cls = by_class['class Leaky'][0]
    doc = load_json(exe, ['export', '--root', hex(cls), '--depth', '2', dump], 'export class Leaky')
    check(doc is not None and doc.get('MARKER', {}).get('$value') == 'leaky-marker-42',
          'export: the static MARKER string shows "leaky-marker-42"')
    rc, out, err = run(exe, ['render', '-T', 'txt', '--top=20', dump])
    check(rc == 0 and 'Leaky$Orphan 0x' in out and '.other → ↺ Leaky$Orphan' in out,
          f'render -T txt --top=20 draws an Orphan pair (status {rc})')
    with tempfile.TemporaryDirectory() as tmp:
        rc, out, err = run(exe, ['render', '-o', os.path.join(tmp, 'c.dot'), dump])
        check(rc == 0 and os.path.getsize(os.path.join(tmp, 'c.dot')) > 0,
              f'render -o c.dot writes a drawing (status {rc})')


def test_small(exe, tmp):
    for name, kw in [('ids of 8 bytes', {}), ('ids of 4 bytes', {'idsize': 4}),
                     ('version 1.0.1', {'version': b'JAVA PROFILE 1.0.1'}),
                     ('an instance before its class', {'instance_first': True}),
                     ('Android 1.0.3', {'android': True}),
                     ('a HEAP DUMP record', {})]:
        data, ids = small_dump(**kw)
        if name == 'a HEAP DUMP record':
            data = data.replace(b'\x1c\x00\x00\x00\x00', b'\x0c\x00\x00\x00\x00', 1)
        path = os.path.join(tmp, 'small.hprof')
        with open(path, 'wb') as f:
            f.write(data)
        doc = load_json(exe, ['scan', '--json', '--members', path], f'scan ({name})')
        if doc is None:
            continue
        s = doc['summary']
        # 9 classes, a, b, c, wr, s, its byte[], the Object[]
        want = (17, 4) if kw.get('android') else (16, 3)
        check((s['objects'], s['roots']) == want,
              f'{name}: {want[0]} objects, {want[1]} roots ({s["objects"]}, {s["roots"]})')
        ab = [x for x in doc['sccs'] if x['signature'] == 'A .b → B .a → A']
        check(len(ab) == 1 and not ab[0]['garbage'], f'{name}: the A <-> B cycle, alive')
        hx = (lambda v: f'0x{v:x}')
        rc, out, err = run(exe, ['path', '--json', path, hx(ids['c'])])
        doc = json.loads(out) if out else {}
        # c is held weakly by wr and strongly by the Object[] (a root)
        check(rc == 0 and [p.get('label') for p in doc.get('path', [])] == ['[2]', None],
              f'{name}: the C is reached through the array, not the weak referent')
        doc = load_json(exe, ['export', '--root', hx(ids['a']), '--depth', '3', path],
                        f'export ({name})')
        check(doc is not None and doc.get('$type') == 'A' and doc['b']['$type'] == 'B',
              f'{name}: export shows A .b → B')
        # the class object holds the static String, whose value is UTF-16
        rc, out, err = run(exe, ['top', '--json', path])
        top = json.loads(out) if rc == 0 else {'objects': []}
        a_obj = [o for o in top['objects'] if o['id'] == hx(ids['a'])]
        idb = 8 if 'idsize' not in kw else 4
        check(bool(a_obj) and a_obj[0]['self_size'] == ((2 * idb + idb + 4 + 7) & ~7),
              f'{name}: A\'s size is header + a reference + an int, aligned')
        d = load_json(exe, ['diff', '--json', path, path], f'diff ({name})')
        sizes = {t['type']: t['bytes'][0] for t in d['types']} if d else {}
        # the String's byte[] of 10 bytes, the Object[] of 3: header + 4
        # + elements, aligned; class objects count 0
        check(sizes.get('byte[]') == (2 * idb + 4 + 10 + 7) & ~7
              and sizes.get('java.lang.Object[]') == (2 * idb + 4 + 3 * idb + 7) & ~7
              and sizes.get('class A') == 0,
              f'{name}: array sizes by VisualVM\'s rule, class objects 0 ({sizes.get("byte[]")}, '
              f'{sizes.get("java.lang.Object[]")}, {sizes.get("class A")})')
        cls = load_json(exe, ['export', '--root', hx(0x110), '--depth', '2', path], 'export class A')
        check(cls is not None and cls.get('GREETING', {}).get('$value') == 'héllo',
              f'{name}: a UTF-16 String shows "héllo"')
    # without the C's array reference, the weak referent holds nothing
    data, ids = small_dump()
    path = os.path.join(tmp, 'weak.hprof')
    with open(path, 'wb') as f:
        f.write(data.replace(struct.pack('>QQQ', ids['a'], 0, ids['c']),
                             struct.pack('>QQQ', ids['a'], 0, 0)))
    rc, out, err = run(exe, ['path', '--json', path, f'0x{ids["c"]:x}'])
    doc = json.loads(out) if out else {}
    check(rc == 1 and doc.get('garbage') is True,
          'an object held only by Reference.referent is garbage')


def test_big_array(exe, tmp):
    """Element labels past the loader's cache of the first 4096 ("[i]"
    stored rather than interned): right, and the same text for the same
    index in two arrays."""
    w = Writer()
    OBJECT, OARR = 0x100, 0x110
    w.load_class(OBJECT, 'java/lang/Object')
    w.load_class(OARR, '[Ljava/lang/Object;')
    w.class_dump(OBJECT, 0, [])
    w.class_dump(OARR, OBJECT, [])
    arr1, arr2, x, y, z, u = 0x9000, 0x9010, 0x9020, 0x9030, 0x9040, 0x9050
    w.root(arr1, 0x05)
    w.root(arr2, 0x05)
    e1 = [0] * 5000
    e1[10], e1[4100], e1[4999] = u, x, y
    e2 = [0] * 4200
    e2[4100] = z
    w.object_array(arr1, OARR, e1)
    w.object_array(arr2, OARR, e2)
    for oid in (x, y, z, u):
        w.instance(oid, OBJECT, [])
    path = os.path.join(tmp, 'big-array.hprof')
    with open(path, 'wb') as f:
        f.write(w.bytes())
    for oid, label in [(x, '[4100]'), (y, '[4999]'), (z, '[4100]'), (u, '[10]')]:
        rc, out, err = run(exe, ['path', '--json', path, f'0x{oid:x}'])
        doc = json.loads(out) if out else {}
        got = [p.get('label') for p in doc.get('path', [])]
        check(rc == 0 and got == [label, None],
              f'an element of a 5000-element array is reached by {label} ({rc}, {got}, {err.strip()})')


def roots_dump(atomic_offsets):
    """GC roots of several kinds, one thread named "worker"; class Holder
    {Holder x; int n}.  atomic_offsets: Class$Atomic's two static field
    offsets (VisualVM's guess of the reference size), or None."""
    w = Writer(8)
    OBJECT, THREAD, STR, BARR, HOLDER, ATOMIC, OARR = range(0x100, 0x100 + 7 * 0x10, 0x10)
    for cid, name in [(OBJECT, 'java/lang/Object'), (THREAD, 'java/lang/Thread'),
                      (STR, 'java/lang/String'), (BARR, '[B'), (HOLDER, 'Holder'),
                      (ATOMIC, 'java/lang/Class$Atomic'), (OARR, '[Ljava/lang/Object;')]:
        w.load_class(cid, name)
    t, name, text, h1, h2, g, arr = range(0x5000, 0x5000 + 7 * 0x10, 0x10)
    w.sub.append(bytes([0x08]) + w.id(t) + struct.pack('>II', 7, 0))      # thread object
    w.sub.append(bytes([0x03]) + w.id(h1) + struct.pack('>II', 7, 0))     # its stack frame
    w.sub.append(bytes([0x01]) + w.id(g) + w.id(0x9999))                  # JNI global
    w.sub.append(bytes([0x05]) + w.id(HOLDER))                             # system class
    w.sub.append(bytes([0xff]) + w.id(arr))                                # unknown
    w.class_dump(OBJECT, 0, [])
    w.class_dump(THREAD, OBJECT, [('name', OBJ)])
    w.class_dump(STR, OBJECT, [('value', OBJ), ('coder', BYTE)])
    w.class_dump(BARR, OBJECT, [])
    w.class_dump(HOLDER, OBJECT, [('x', OBJ), ('n', INT)])
    statics = [] if atomic_offsets is None else [
        ('annotationDataOffset', 11, atomic_offsets[0]),
        ('annotationTypeOffset', 11, atomic_offsets[1])]
    w.class_dump(ATOMIC, OBJECT, [], statics=statics)
    w.class_dump(OARR, OBJECT, [])
    w.instance(t, THREAD, [(OBJ, name)])
    w.instance(name, STR, [(OBJ, text), (BYTE, 0)])
    w.prim_array(text, BYTE, b'worker', 6)
    w.instance(h1, HOLDER, [(OBJ, h2), (INT, 1)])
    w.instance(h2, HOLDER, [(OBJ, 0), (INT, 2)])
    w.instance(g, HOLDER, [(OBJ, 0), (INT, 3)])
    w.object_array(arr, OARR, [h2, g])
    return w.bytes(), dict(t=t, h1=h1, h2=h2, g=g, arr=arr, holder=HOLDER, text=text)


def test_roots(exe, tmp):
    """path names the kind of GC root; sizes follow the reference size
    VisualVM guesses (4 with compressed references)."""
    data, ids = roots_dump((12, 16))
    path = os.path.join(tmp, 'roots.hprof')
    with open(path, 'wb') as f:
        f.write(data)
    for what, oid, kind in [('a stack frame', ids['h1'], 'thread worker stack frame'),
                            ('a JNI global', ids['g'], 'JNI global'),
                            ('a class', ids['holder'], 'system class'),
                            ('a thread', ids['t'], 'thread worker'),
                            ('an unknown root', ids['arr'], 'unknown')]:
        rc, out, err = run(exe, ['path', path, f'0x{oid:x}'])
        last = out.splitlines()[-1] if out else ''
        check(rc == 0 and last.startswith(f'from 0x{oid:x} (root: {kind})'),
              f'path of {what}: "root: {kind}" ({last!r} {err.strip()[:200]})')
        doc = load_json(exe, ['path', '--json', path, f'0x{oid:x}'], f'path --json {what}')
        check(doc is not None and doc['root'].get('gc_root') == kind,
              f'path --json of {what}: gc_root "{kind}"')
    # h2 is reached from the stack frame (h1) and from the array: the first
    # node of its path is flagged with its own kind
    doc = load_json(exe, ['path', '--json', path, f'0x{ids["h2"]:x}'], 'path --json h2')
    check(doc is not None and doc['root'].get('gc_root') in ('thread worker stack frame', 'unknown'),
          'path of an object under a root: the root\'s kind')
    # sizes: references of 4 bytes (offsets 4 apart), header 8 + 4
    for offsets, ref, what in [((12, 16), 4, 'compressed references'),
                               ((12, 20), 8, 'references of 8 bytes'),
                               (None, 8, 'no Class$Atomic offsets')]:
        data, ids = roots_dump(offsets)
        with open(path, 'wb') as f:
            f.write(data)
        d = load_json(exe, ['diff', '--json', path, path], f'diff ({what})')
        sizes = {t['type']: t['bytes'][0] for t in d['types']} if d else {}
        head = 8 + ref
        want = {'Holder': 3 * ((head + ref + 4 + 7) & ~7), 'byte[]': (head + 4 + 6 + 7) & ~7,
                'java.lang.Object[]': (head + 4 + 2 * ref + 7) & ~7}
        got = {k: sizes.get(k) for k in want}
        check(got == want, f'sizes with {what}: {got} (want {want})')


def expect_bad(exe, path, what, offset=None):
    rc, out, err = run(exe, ['scan', path])
    lines = err.splitlines()
    ok = rc == 3 and not out and len(lines) == 1 and lines[0].startswith('cycletool: ')
    m = re.search(r'at byte (\d+)', err)
    if offset is not None:
        ok = ok and m is not None and int(m.group(1)) == offset
    else:
        ok = ok and m is not None
    check(ok, f'bad input, {what}: status {rc}, {err.strip()[:200]!r}')


def expect_unrecognised(exe, path, b, what):
    with open(path, 'wb') as f:
        f.write(b)
    rc, out, err = run(exe, ['scan', path])
    check(rc == 3 and not out and len(err.splitlines()) == 1 and 'unrecognised format' in err,
          f'bad input, {what}: status {rc}, {err.strip()[:200]!r}')


def test_bad(exe, tmp, dump):
    data, ids = small_dump()
    path = os.path.join(tmp, 'bad.hprof')

    def bad(b, what, offset=None):
        with open(path, 'wb') as f:
            f.write(b)
        expect_bad(exe, path, what, offset)

    small = os.environ.get('CT_TEST_SMALL')
    cuts = [19, 25, 31, 40, 60, 200, len(data) // 2, len(data) - 20, len(data) - 10]
    if not small:
        cuts += list(range(len(data) - 400, len(data) - 9, 37))
    for cut in cuts:
        bad(data[:cut], f'truncated at byte {cut} of {len(data)}')
    real = read_bytes(dump)
    for cut in ([100000, 2000000] if small else [31, 1000, 100000, 1000000, 2000000,
                                                 len(real) - 1]):
        bad(real[:cut], f'leaky.hprof truncated at byte {cut}')
    bad(b'JAVA PROFILE 9.9.9\0' + data[19:], 'unknown version', 0)
    bad(b'JAVA PROFILE \xff\0' + data[19:], 'a version that is not text', 0)
    bad(data[:19] + struct.pack('>I', 3) + data[23:], 'identifier size 3', 19)
    expect_unrecognised(exe, path, bytes(range(256)) * 8, 'garbage bytes')
    expect_unrecognised(exe, path, data[:5], 'the first 5 bytes')
    # from a pipe (no size known): the truncation is found where it is
    rc, out, err = run(exe, ['scan', '-'], stdin=real[:2000000])
    check(rc == 3 and re.search(r"'-': truncated [A-Z ]+ at byte \d+$", err.strip()) is not None,
          f'bad input, leaky.hprof truncated, from a pipe: status {rc}, {err.strip()!r}')
    rc, out, err = run(exe, ['scan', '--json', '-'], stdin=real)
    check(rc == 0 and json.loads(out)['summary']['objects'] == 24244,
          f'leaky.hprof loads from a pipe (status {rc})')
    # a record longer than the file
    first = 31
    bad(data[:first + 5] + struct.pack('>I', 1 << 30) + data[first + 9:],
        'a record longer than the file', first)
    # an unknown sub-record tag: the segment's first sub-record
    seg = data.index(b'\x1c\x00\x00\x00\x00')
    bad(data[:seg + 9] + b'\x77' + data[seg + 10:], 'an unknown sub-record tag', seg + 9)
    # field bytes that do not match the class layout: A's instance says
    # 3 bytes more (taken from the segment, whose length grows by 3)
    w_a = struct.pack('>BQIQ', 0x21, ids['a'], 0, 0x110)
    i = data.index(w_a)
    n = struct.unpack('>I', data[i + 21:i + 25])[0]
    seglen = struct.unpack('>I', data[seg + 5:seg + 9])[0]
    b2 = (data[:seg + 5] + struct.pack('>I', seglen + 3) + data[seg + 9:i + 21]
          + struct.pack('>I', n + 3) + data[i + 25:i + 25 + n] + b'\0\0\0' + data[i + 25 + n:])
    bad(b2, 'field bytes that do not fit the class layout', i)
    # an instance of a class never dumped
    bad(data.replace(w_a, struct.pack('>BQIQ', 0x21, ids['a'], 0, 0x999)),
        'an instance of an undeclared class', i)
    # an object array whose count runs past its segment
    j = data.index(struct.pack('>BQ', 0x22, ids['arr']))
    bad(data[:j + 13] + struct.pack('>I', 0xfffffff) + data[j + 17:],
        'an object array of 268M elements in a small segment', j)


def test_visualvm(exe, root, dump):
    script = os.path.join(root, 'testdata', 'java', 'visualvm_check.sh')
    p = subprocess.run(['sh', script, dump, '10'], capture_output=True, text=True, timeout=600)
    if p.returncode == 77:
        print(p.stderr.strip())
        return 77
    if p.returncode != 0:
        check(False, f'visualvm_check.sh failed: {p.stderr.strip()[-300:]}')
        return 1
    vv_top, vv_cls = [], {}
    for line in p.stdout.splitlines():
        f = line.split()
        if f[0] == 'top':
            vv_top.append((f[1], f[2], int(f[3]), int(f[4])))
        elif f[0] == 'class':
            vv_cls[' '.join(f[1:-2])] = (int(f[-2]), int(f[-1]))
    d = load_json(exe, ['diff', '--json', dump, dump], 'diff leaky.hprof')
    ours = {t['type']: (t['counts'][0], t['bytes'][0]) for t in d['types']}
    differ = [k for k in vv_cls if ours.get(k) != vv_cls[k]]
    check(len(vv_cls) > 100 and not differ,
          f'{len(vv_cls)} classes: instance counts and bytes are VisualVM\'s (differ: {differ[:5]})')
    top = load_json(exe, ['top', '--json', '-n', '10', dump], 'top leaky.hprof')
    ours_top = [(o['id'], o['type'], o['self_size'], o['retained']) for o in top['objects']]
    check([t[0] for t in ours_top] == [t[0] for t in vv_top],
          'top: the 10 biggest retainers are VisualVM\'s, in its order')
    same = all(o[3] == v[3] and o[2] == v[2] for o, v in zip(ours_top, vv_top)
               if not o[1].startswith('class '))
    check(same, 'top: their sizes and retained sizes are VisualVM\'s (class objects aside)')
    return 0


def test_huge_arrays(exe, tmp):
    """Arrays of 4 GB and more (Android's PRIMITIVE ARRAY NODATA: the
    length without the elements) have their whole size, as have those
    whose length only passes 32 bits in the loader's encoding."""
    w = Writer(8, b'JAVA PROFILE 1.0.3')
    LONG = 11
    arrays = [(0x9000, LONG, 2**32 - 1, (16 + 4 + 8 * (2**32 - 1) + 7) & ~7),
              (0x9010, BYTE, 2**32 - 1, (16 + 4 + 2**32 - 1 + 7) & ~7),
              (0x9020, INT, 2**30 - 8, (16 + 4 + 4 * (2**30 - 8) + 7) & ~7),
              (0x9030, INT, 2**28, (16 + 4 + 2**30 + 7) & ~7),
              (0x9040, BYTE, 3, 24)]
    for oid, t, n, _ in arrays:
        w.root(oid, 0x05)
        w.sub.append(bytes([0xc3]) + w.id(oid) + struct.pack('>II', 0, n) + bytes([t]))
    path = os.path.join(tmp, 'huge-arrays.hprof')
    with open(path, 'wb') as f:
        f.write(w.bytes())
    top = load_json(exe, ['top', '--json', '-n', '10', path], 'top (huge arrays)')
    got = {o['id']: o['self_size'] for o in top['objects']} if top else {}
    want = {f'0x{oid:x}': size for oid, _, _, size in arrays}
    check(got == want, f'arrays of 4 GB and more have their whole size ({got})')


def main():
    if sys.argv[1] == '--write-seeds':
        write_seeds(sys.argv[2])
        return 0
    exe, root = sys.argv[1], sys.argv[2]
    dump = os.path.join(root, 'testdata', 'java', 'leaky.hprof.gz')
    mode = sys.argv[3] if len(sys.argv) > 3 else None
    if mode == '--visualvm':
        rc = test_visualvm(exe, root, dump)
        if rc == 77:
            return 77
        return 1 if failures or rc else 0
    if mode == '--fresh':
        with tempfile.TemporaryDirectory() as tmp:
            fresh = os.path.join(tmp, 'fresh.hprof')
            p = subprocess.run(['sh', os.path.join(root, 'testdata', 'java', 'make_dump.sh'), fresh],
                               capture_output=True, text=True, timeout=600)
            if p.returncode == 77:
                print(p.stderr.strip())
                return 77
            if p.returncode != 0:
                print(f'make_dump.sh failed: {p.stderr.strip()[-500:]}')
                return 1
            test_real(exe, fresh)
        return 1 if failures else 0
    test_real(exe, dump)
    with tempfile.TemporaryDirectory() as tmp:
        test_small(exe, tmp)
        test_roots(exe, tmp)
        test_big_array(exe, tmp)
        test_huge_arrays(exe, tmp)
        test_bad(exe, tmp, dump)
    if failures:
        print(f'{len(failures)} failed')
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())

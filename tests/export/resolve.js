#!/usr/bin/env node
// An independent resolver for cycletool's $ref JSON, written for the tests:
// it restores a document (or each line of an NDJSON file) into real object
// identity, JSON.retrocycle-style, for all three reference styles, then
// reports what the restored objects look like.
//
// usage: node resolve.js FILE
//        node resolve.js --each FILE...   (one line per FILE: {"reports": [...]}
//                                          or {"error": "..."})
// prints one JSON line per document:
//   {"objects": N,                   distinct objects and arrays (by identity)
//    "refs": N,                      references replaced
//    "edges": [[from, key, to], ...] from/to: "$address" (or null), scalars as {"v": value}
//    "sccs": [[address, ...], ...],  strongly connected components with a cycle
//    "parentChecks": [ok, bad]}      o.children[i].parent === o, wherever both exist
'use strict';
const fs = require('fs');

function isRef(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v) &&
    Object.keys(v).length === 1 && typeof v.$ref === 'string';
}

// Steps of a reference path: strings (member names) and numbers (indices).
function parsePath(ref) {
  if (ref[0] === '$') {
    const steps = [];
    let i = 1;
    while (i < ref.length) {
      if (ref[i] !== '[') throw new Error('bad path ' + ref);
      if (ref[i + 1] === '"') {
        let j = i + 2;
        while (ref[j] !== '"') j += ref[j] === '\\' ? 2 : 1;
        steps.push(JSON.parse(ref.slice(i + 1, j + 1)));
        if (ref[j + 1] !== ']') throw new Error('bad path ' + ref);
        i = j + 2;
      } else {
        const m = /^\[(\d+)\]/.exec(ref.slice(i));
        if (!m) throw new Error('bad path ' + ref);
        steps.push(Number(m[1]));
        i += m[0].length;
      }
    }
    return steps;
  }
  if (ref[0] === '#') {
    // RFC 6901 section 6: percent-decode the fragment, then split.
    const ptr = decodeURIComponent(ref.slice(1));
    if (ptr === '') return [];
    if (ptr[0] !== '/') throw new Error('bad pointer ' + ref);
    return ptr.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
  }
  return null;
}

function restore(doc) {
  const ids = new Map();
  const slots = [];   // [container, key, ref]
  const stack = [doc];
  while (stack.length) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object') continue;
    if (!Array.isArray(v) && v.$id !== undefined) ids.set(String(v.$id), v);
    for (const k of Object.keys(v)) {
      const c = v[k];
      if (isRef(c)) slots.push([v, k, c.$ref]);
      else stack.push(c);
    }
  }
  // Resolve every path against the document as written (paths never pass
  // through references in cycletool's output), then replace.
  const targets = slots.map(([, , ref]) => {
    const steps = parsePath(ref);
    if (steps === null) {
      if (!ids.has(ref)) throw new Error('no $id ' + ref);
      return ids.get(ref);
    }
    let cur = doc;
    for (const s of steps) {
      if (cur === null || typeof cur !== 'object' || !(s in cur)) throw new Error('unresolved ' + ref);
      cur = cur[s];
    }
    if (isRef(cur)) throw new Error('reference to a reference ' + ref);
    return cur;
  });
  slots.forEach(([v, k], i) => { v[k] = targets[i]; });
  return slots.length;
}

// The members of an object as the graph sees them.
function members(o) {
  if (Array.isArray(o)) return o.map((v, i) => [String(i), v]);
  if (Array.isArray(o.$values)) return o.$values.map((v, i) => [String(i), v]);
  return Object.keys(o).filter((k) => !['$id', '$type', '$address', '$value', '$cut', '$runtime'].includes(k))
    .map((k) => [k, o[k]]);
}

function report(doc) {
  const refs = restore(doc);
  const ids = new Map();   // object -> number
  const objs = [];
  const isObj = (v) => v !== null && typeof v === 'object';
  const stack = [doc];
  if (isObj(doc)) { ids.set(doc, 0); objs.push(doc); }
  while (stack.length) {
    const v = stack.pop();
    if (!isObj(v)) continue;
    for (const [, c] of members(v)) {
      if (isObj(c) && !ids.has(c)) {
        ids.set(c, objs.length);
        objs.push(c);
        stack.push(c);
      }
    }
  }
  const name = (o) => (Array.isArray(o) ? null : (o.$address === undefined ? null : o.$address));
  const edges = [];
  const adj = objs.map(() => []);
  objs.forEach((o, i) => {
    for (const [k, c] of members(o)) {
      if (isObj(c)) {
        edges.push([name(o), k, name(c)]);
        adj[i].push(ids.get(c));
      } else {
        edges.push([name(o), k, { v: c }]);
      }
    }
  });
  // Iterative Tarjan over the restored identities.
  const index = new Array(objs.length).fill(-1);
  const low = new Array(objs.length).fill(0);
  const on = new Array(objs.length).fill(false);
  const st = [];
  const sccs = [];
  let counter = 0;
  for (let s = 0; s < objs.length; s++) {
    if (index[s] >= 0) continue;
    const work = [[s, 0]];
    index[s] = low[s] = counter++;
    st.push(s); on[s] = true;
    while (work.length) {
      const top = work[work.length - 1];
      const [v, i] = top;
      if (i < adj[v].length) {
        top[1]++;
        const w = adj[v][i];
        if (index[w] < 0) {
          index[w] = low[w] = counter++;
          st.push(w); on[w] = true;
          work.push([w, 0]);
        } else if (on[w]) {
          low[v] = Math.min(low[v], index[w]);
        }
        continue;
      }
      work.pop();
      if (work.length) {
        const u = work[work.length - 1][0];
        low[u] = Math.min(low[u], low[v]);
      }
      if (low[v] === index[v]) {
        const comp = [];
        let w;
        do { w = st.pop(); on[w] = false; comp.push(w); } while (w !== v);
        if (comp.length > 1 || adj[v].includes(v)) sccs.push(comp.map((c) => name(objs[c])).sort());
      }
    }
  }
  // The tree shape of the tests' dumps: each child's .parent is its parent.
  const parentChecks = [0, 0];
  for (const o of objs) {
    if (Array.isArray(o) || !isObj(o.children)) continue;
    for (const [, c] of members(o.children)) {
      if (isObj(c) && !Array.isArray(c) && 'parent' in c) parentChecks[c.parent === o ? 0 : 1]++;
    }
  }
  return { objects: objs.length, refs, edges, sccs, parentChecks };
}

function reportsOf(file) {
  const text = fs.readFileSync(file, 'utf8');
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  return lines.map((line) => report(JSON.parse(line)));
}

if (process.argv[2] === '--each') {
  // One node for many files (the tests start node once, not per file):
  // one line per FILE, {"reports": [...]} or {"error": "..."}.
  for (const file of process.argv.slice(3)) {
    let out;
    try {
      out = { reports: reportsOf(file) };
    } catch (e) {
      out = { error: String(e && e.stack || e) };
    }
    process.stdout.write(JSON.stringify(out) + '\n');
  }
} else {
  for (const r of reportsOf(process.argv[2])) {
    process.stdout.write(JSON.stringify(r) + '\n');
  }
}

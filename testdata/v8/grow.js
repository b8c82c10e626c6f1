// Three snapshots of one process: Leak grows by 200 a step (kept), Temp
// objects are made and dropped, Cache stays at 3.
'use strict';
const v8 = require('v8');
class Leak { constructor(i) { this.i = i; } }
class Temp { constructor(i) { this.i = i; } }
class Cache { constructor() { this.m = new Map(); } }
globalThis.kept = [];
globalThis.caches = [new Cache(), new Cache(), new Cache()];
for (let step = 0; step < 3; step++) {
  for (let i = 0; i < 200; i++) kept.push(new Leak(i));
  let t = [];
  for (let i = 0; i < 50; i++) t.push(new Temp(i));
  t = null;
  global.gc();
  v8.writeHeapSnapshot(process.argv[2] + '-' + step + '.heapsnapshot');
}

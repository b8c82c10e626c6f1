// Known cycles in a real V8 heap, for cycletool's tests.
//   node --expose-gc cycles.js OUT.heapsnapshot
//
// Each structure is held only by this function's frame (a stack root), not
// by globalThis: every JavaScript object reaches the global object through
// its prototype, constructor and context, so whatever globalThis holds is
// in one giant strongly connected component with it.  Held from the stack,
// each structure is a component of its own:
//   CtPair .peer -> CtPair .peer -> CtPair             (two objects)
//   CtHolder .fn -> (closure) .context -> (system) .holder -> CtHolder
//   CtKeeper .map -> Map .table -> (array) [*] -> CtKeeper   (a Map value)
// and a self-reference: CtSelf .self -> CtSelf.
'use strict';
const v8 = require('v8');

class CtPair { constructor() { this.peer = null; } }
class CtHolder { constructor() { this.fn = null; } }
class CtKeeper { constructor() { this.map = null; } }
class CtSelf { constructor() { this.self = this; } }

function makeHolder() {
  const holder = new CtHolder();
  holder.fn = function ctHeld() { return holder; };
  return holder;
}

function main(out) {
  const a = new CtPair(), b = new CtPair();
  a.peer = b;
  b.peer = a;
  const holder = makeHolder();
  const keeper = new CtKeeper();
  keeper.map = new Map([['me', keeper]]);
  const self = new CtSelf();
  global.gc();
  v8.writeHeapSnapshot(out);
  // Used after the snapshot, so the frame still holds them while it is taken.
  return [a, b, holder, keeper, self].length;
}

if (process.argv.length !== 3) {
  console.error('usage: node --expose-gc cycles.js OUT.heapsnapshot');
  process.exit(2);
}
main(process.argv[2]);

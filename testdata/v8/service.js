// A small service as a user writes it, for cycletool's tests: its cycles are
// held from the global object, so on the full graph they are all inside the
// one giant component with the global object, its prototypes, constructors
// and contexts.  On the application's graph (cycletool(1), APPLICATION
// CYCLES) each is its own strongly connected component:
//   Handler .callback -> (closure) .context -> (system) .handler -> Handler
//       500 of them, held by the global array `handlers`;
//   Session .conn -> Connection .session -> Session
//       40 pairs, held by the Map `sessions`;
//   TreeNode .children -> (array) [*] -> TreeNode .parent -> TreeNode
//       one tree of 31 nodes, held by `tree`.
//   node --expose-gc service.js OUT.heapsnapshot
'use strict';
const v8 = require('v8');

class Handler {
  constructor(n) {
    const handler = this;
    this.n = n;
    this.callback = function onEvent(event) { return handler.n + event; };
  }
}
class Session {
  constructor(user) { this.user = user; this.conn = new Connection(this); }
}
class Connection {
  constructor(session) { this.session = session; }
}
class TreeNode {
  constructor(parent) {
    this.parent = parent;
    this.children = [];
    if (parent) parent.children.push(this);
  }
}

globalThis.handlers = [];
for (let i = 0; i < 500; i++) handlers.push(new Handler(i));
globalThis.sessions = new Map();
for (let i = 0; i < 40; i++) sessions.set('user' + i, new Session('user' + i));
globalThis.tree = new TreeNode(null);
let level = [tree];
for (let d = 0; d < 4; d++) {
  const next = [];
  for (const p of level) next.push(new TreeNode(p), new TreeNode(p));
  level = next;
}
level = null;
global.gc();
v8.writeHeapSnapshot(process.argv[2]);

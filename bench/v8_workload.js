// A large, realistic-looking V8 heap for the top-vs-memlab benchmark.
//   node --expose-gc --max-old-space-size=8192 v8_workload.js OUT.heapsnapshot [SCALE]
//
// Everything stays reachable from globalThis.  SCALE (default 1) multiplies
// the object count; 1 makes a snapshot of about 600 MB (7-8M nodes).
// Deterministic: no randomness, so the largest retainer is the same from
// run to run (globalThis.app.sessions, a Map of sessions).
'use strict';
const v8 = require('v8');

const scale = Number(process.argv[3] || 1);

class Session {
  constructor(id, user) {
    this.id = id;
    this.user = user;
    this.items = [];
    this.tags = new Map();
    this.onClose = () => this.items.length;   // a closure over this
  }
}

class User {
  constructor(id) {
    this.id = id;
    this.name = 'user-' + id;                 // a distinct string per user
    this.profile = { age: id % 90, city: 'city-' + (id % 1000), score: id * 0.5 };
  }
}

class Item {
  constructor(i, session) {
    this.i = i;
    this.session = session;                   // cycle: session.items -> item -> session
    this.payload = [i, i + 1, { k: i }];
  }
}

function build() {
  const app = { sessions: new Map(), users: [], cache: new Map(), handlers: [] };
  const nUsers = Math.round(60000 * scale);
  for (let u = 0; u < nUsers; u++)
    app.users.push(new User(u));
  // The big one: sessions hold most of the heap.
  const nSessions = Math.round(90000 * scale);
  for (let s = 0; s < nSessions; s++) {
    const sess = new Session(s, app.users[s % nUsers]);
    for (let i = 0; i < 12; i++)
      sess.items.push(new Item(i, sess));
    sess.tags.set('t' + (s % 50), s);
    app.sessions.set(s, sess);
  }
  // A smaller cache of strings and arrays.
  const nCache = Math.round(150000 * scale);
  for (let c = 0; c < nCache; c++)
    app.cache.set('key-' + c, ['v', c, 'value-' + (c % 5000)]);
  // Closures with their own contexts.
  const nHandlers = Math.round(100000 * scale);
  for (let h = 0; h < nHandlers; h++) {
    const state = { count: h };
    app.handlers.push(function handler() { return state.count++; });
  }
  return app;
}

if (process.argv.length < 3) {
  console.error('usage: node --expose-gc v8_workload.js OUT.heapsnapshot [SCALE]');
  process.exit(2);
}
globalThis.app = build();
global.gc();
v8.writeHeapSnapshot(process.argv[2]);

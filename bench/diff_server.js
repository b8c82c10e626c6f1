// A node HTTP server with a known per-request leak, which takes three heap
// snapshots of itself for bench/diff_vs_memlab.sh (issue 12).
//
// usage: node --expose-gc bench/diff_server.js OUT-PREFIX [N] [SAMPLES]
//   writes OUT-PREFIX-a.heapsnapshot  after a warm-up of non-leaking requests
//          OUT-PREFIX-b.heapsnapshot  after N leaking requests
//          OUT-PREFIX-c.heapsnapshot  after N more requests that do not leak
//   N        leaking requests (default 10000)
//   SAMPLES  Sample objects each CacheEntry keeps (default 40; sets the
//            snapshot's size: 10000 and 40 make ~5/115/115 MB snapshots)
//
// Every request is a real HTTP request over loopback, made by this same
// process (keep-alive agent, 8 at a time).  A leaking request (GET /leak)
// leaks exactly one RequestContext (holding a 16 KB Buffer), kept by a
// listener closure registered on a long-lived EventEmitter and never
// removed, and exactly one CacheEntry (with SAMPLES Sample objects) put in a
// Map that is never evicted.  Every request also makes temporaries (Scratch
// objects, a JSON string) that die with it.  So, by memlab's leak rule
// (allocated after A, alive in B and still alive in C), RequestContext and
// CacheEntry survive exactly N times each and Sample N * SAMPLES times;
// round C makes only temporaries, so C is about the size of B.
//
// Prints one JSON line to stdout: {"n", "samples", "snapshots": [...]}.
'use strict';

const EventEmitter = require('events');
const http = require('http');
const v8 = require('v8');

const prefix = process.argv[2];
const n = Number(process.argv[3] || 10000);
const samples = Number(process.argv[4] || 40);
if (!prefix || !(n > 0) || !(samples >= 0)) {
	process.stderr.write('usage: node --expose-gc diff_server.js OUT-PREFIX [N] [SAMPLES]\n');
	process.exit(2);
}
const WARMUP = 2000;
const CONCURRENCY = 8;

class RequestContext {
	constructor(id, path, headers) {
		this.id = id;
		this.path = path;
		this.userAgent = headers['user-agent'] || '';
		this.startedAt = Date.now();
		this.buffer = Buffer.alloc(16 * 1024, id & 0xff);
		this.ticks = 0;
	}

	onTick() {
		this.ticks++;
	}
}

class Sample {
	constructor(at, value, label) {
		this.at = at;
		this.value = value;
		this.label = label;
	}
}

class CacheEntry {
	constructor(key, headers) {
		this.key = key;
		this.headers = Object.assign({}, headers);
		this.samples = [];
		for (let k = 0; k < samples; k++)
			this.samples.push(new Sample(k, k * 0.5 + key.length, key + '#' + k));
		this.hits = 0;
	}
}

class Scratch {
	constructor(i) {
		this.i = i;
		this.text = 'scratch-' + i;
		this.parts = [i, i + 1, i + 2];
	}
}

// The long-lived roots of the leak.
const bus = new EventEmitter();
bus.setMaxListeners(0);
const cache = new Map();

function handle(req, res) {
	const url = new URL(req.url, 'http://localhost');
	const id = Number(url.searchParams.get('id'));
	// temporaries: made and dropped with every request
	const scratch = [];
	for (let k = 0; k < 16; k++)
		scratch.push(new Scratch(id + k));
	const body = JSON.stringify({ id, path: url.pathname, sum: scratch.reduce((s, o) => s + o.i, 0) });

	if (url.pathname === '/leak') {
		const ctx = new RequestContext(id, url.pathname, req.headers);
		bus.on('tick', () => ctx.onTick());          // never removed
		cache.set('req-' + id, new CacheEntry('req-' + id, req.headers));  // never evicted
	}
	res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
	res.end(body);
}

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function get(port, path) {
	return new Promise((resolve, reject) => {
		const req = http.request({ host: '127.0.0.1', port, path, agent }, (res) => {
			res.resume();
			res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error('status ' + res.statusCode))));
		});
		req.on('error', reject);
		req.end();
	});
}

// round: requests first .. first + count - 1 to PATH, CONCURRENCY at a time.
async function round(port, path, first, count) {
	let next = first;
	const end = first + count;
	async function worker() {
		while (next < end) {
			const id = next++;
			await get(port, path + '?id=' + id);
		}
	}
	await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

function snapshot(name) {
	if (global.gc)
		global.gc();
	const t0 = Date.now();
	const file = v8.writeHeapSnapshot(name);
	process.stderr.write(`diff_server: ${file} (${Date.now() - t0} ms; ${bus.listenerCount('tick')} listeners, ${cache.size} cache entries)\n`);
	return file;
}

async function main() {
	const server = http.createServer(handle);
	// no idle timeout: a snapshot can take longer than the default 5 s, and
	// the client's keep-alive sockets must still be open after it
	server.keepAliveTimeout = 0;
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	const port = server.address().port;
	const files = [];

	await round(port, '/work', 0, WARMUP);
	files.push(snapshot(prefix + '-a.heapsnapshot'));
	await round(port, '/leak', WARMUP, n);
	bus.emit('tick');
	files.push(snapshot(prefix + '-b.heapsnapshot'));
	await round(port, '/work', WARMUP + n, n);
	bus.emit('tick');
	files.push(snapshot(prefix + '-c.heapsnapshot'));

	if (bus.listenerCount('tick') !== n || cache.size !== n)
		throw new Error(`leaked ${bus.listenerCount('tick')} listeners and ${cache.size} cache entries, not ${n}`);
	agent.destroy();
	server.close();
	process.stdout.write(JSON.stringify({ n, samples, snapshots: files }) + '\n');
}

main().catch((e) => {
	process.stderr.write('diff_server: ' + (e.stack || e) + '\n');
	process.exit(1);
});

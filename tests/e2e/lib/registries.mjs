// Real registries for the fetch tests, and two small servers that play the parts a registry cannot:
//
// - `startRegistry`: Debian's docker-registry (distribution 2.8.2) through scripts/registry, in one of its
//   modes (cors, nocors, htpasswd), filled by scripts/make-images with umoci-built images pushed by skopeo
//   and buildah. Its summary.json holds the Docker-Content-Digest the registry answered, read with curl.
// - `startCorsProxy`: a CORS proxy in front of those registries (what a user sets as "CORS proxy prefix").
//   Under `/tamper/` it appends one byte to every manifest it relays while keeping the registry's headers:
//   a hostile proxy, the legitimate way to show what the page says when bytes do not match their digest.
//   It is not a registry: every answer comes from the real one behind it. Under `/redirect/` it sends blob
//   downloads on to `redirectTo` (another registry without CORS holding the same blobs) with a 307, the way
//   ghcr.io and Docker Hub send them on to storage that does not allow web pages.
// - `startTokenRegistry`: another docker-registry process, with token authentication (distribution's
//   `auth.token`), serving the storage of a running registry, and a small token server for it that issues
//   RS256 JWTs signed with a throwaway openssl key (anonymous pull; `digestlens`/`digestlens` also pull).
//   The registry checks every token itself, as it would with a real token service.
// - `startSilentServer`: accepts TCP connections and never answers, like a registry that hangs.
import { execFile, spawn } from 'node:child_process';
import { createHash, createPrivateKey, randomUUID, sign, X509Certificate } from 'node:crypto';
import { createServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './harness.mjs';
import { REGISTRY_FIXTURES } from './fixtures.mjs';
import { listen } from './server.mjs';

const run = promisify(execFile);

/** The full manifest Accept list, as scripts/make-fixtures recorded it (not the page's constant). */
export const MANIFEST_ACCEPT = JSON.parse(await readFile(REGISTRY_FIXTURES, 'utf8')).accept.all;

/**
 * Starts a registry on 127.0.0.1:`port` in `mode` and pushes the demo images to it.
 * Returns `{ origin, host, images, summary, stop }`; `images` maps `repository:tag` to its summary entry.
 */
export async function startRegistry({ port, mode }) {
  const dir = await mkdtemp(join(tmpdir(), `digestlens-e2e-registry-${port}-`));
  const env = { ...process.env, PORT: String(port), STATE_DIR: join(dir, 'state'), MODE: mode };
  const script = (name) => join(REPO_ROOT, 'scripts', name);
  const stop = async () => {
    await run(script('registry'), ['stop'], { env }).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await run(script('registry'), ['start'], { env });
    const creds = mode === 'htpasswd' ? { REGISTRY_CREDS: 'digestlens:digestlens' } : {};
    await run(script('make-images'), [`127.0.0.1:${port}`, join(dir, 'images')], {
      env: { ...env, ...creds },
      maxBuffer: 1 << 20,
    });
  } catch (err) {
    await stop();
    throw new Error(`registry ${mode} on ${port} did not start: ${err.stderr || err.message}`);
  }
  const summary = JSON.parse(await readFile(join(dir, 'images', 'summary.json'), 'utf8'));
  const images = Object.fromEntries(summary.images.map((i) => [`${i.repository}:${i.tag}`, i]));
  const storage = join(dir, 'state', 'storage');
  return { origin: `http://127.0.0.1:${port}`, host: `127.0.0.1:${port}`, images, summary, storage, stop };
}

/**
 * A CORS proxy for the registries at `upstreams` (origins): `GET /<registry URL>` relays the request
 * (Accept and Authorization only) and answers with the registry's status, Content-Type and
 * Docker-Content-Digest plus CORS headers; `/tamper/<registry URL>` also appends "\n" to manifests;
 * `/redirect/<registry URL>` answers blob requests with a 307 to the same path on `redirectTo`.
 * Anything not aimed at an upstream is refused, so the fixture cannot be used to reach elsewhere.
 */
export async function startCorsProxy(upstreams, { redirectTo } = {}) {
  const allowed = new Set(upstreams);
  const cors = {
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS',
    'Access-Control-Allow-Headers': 'Accept, Authorization',
    'Access-Control-Expose-Headers': 'Docker-Content-Digest, WWW-Authenticate',
  };
  const server = createServer(async (req, res) => {
    if (req.method === 'OPTIONS') {
      res.writeHead(204, cors).end();
      return;
    }
    let rest = req.url.slice(1);
    const mode = /^(tamper|redirect)\//.exec(rest)?.[1];
    if (mode) rest = rest.slice(mode.length + 1);
    const tamper = mode === 'tamper';
    let target;
    try {
      target = new URL(rest);
    } catch {
      res.writeHead(400, cors).end('not a URL\n');
      return;
    }
    if (!allowed.has(target.origin)) {
      res.writeHead(403, cors).end('not an upstream of this proxy\n');
      return;
    }
    if (mode === 'redirect' && redirectTo && target.pathname.includes('/blobs/')) {
      res.writeHead(307, { ...cors, Location: `${redirectTo}${target.pathname}` }).end();
      return;
    }
    try {
      const headers = {};
      for (const name of ['accept', 'authorization']) if (req.headers[name]) headers[name] = req.headers[name];
      const upstream = await fetch(target, { headers, redirect: 'manual' });
      let body = Buffer.from(await upstream.arrayBuffer());
      if (tamper && upstream.ok && target.pathname.includes('/manifests/')) body = Buffer.concat([body, Buffer.from('\n')]);
      const out = { ...cors, 'Content-Length': body.length };
      for (const name of ['content-type', 'docker-content-digest', 'www-authenticate']) {
        const value = upstream.headers.get(name);
        if (value !== null) out[name] = value;
      }
      res.writeHead(upstream.status, out).end(body);
    } catch (err) {
      res.writeHead(502, cors).end(`${err}\n`);
    }
  });
  return listen(server);
}

const TOKEN_SERVICE = 'digestlens-test';
const TOKEN_ISSUER = 'digestlens-test-issuer';

/** A port nothing listens on right now (for a process that needs its port in a config file). */
async function freePort() {
  const server = createTcpServer();
  const { port, close } = await listen(server);
  await close();
  return port;
}

const base64url = (data) => Buffer.from(data).toString('base64url');

/**
 * A registry with token authentication over `storage` (the storage directory of a running registry),
 * and its token server. Returns `{ origin, host, tokenOrigin, tokensIssued, hold, issueExpiredTokens, stop }`;
 * `tokensIssued` lists `{ user, scopes }` per token handed out. `hold()` makes the token server keep every
 * request it gets from then on unanswered until the function it returns is called (`held` counts them).
 * `issueExpiredTokens(true)` makes it hand out tokens whose `exp` lies an hour in the past (beyond any
 * leeway the registry allows for clock skew) while `expires_in` still says 300 s: the registry refuses
 * them, as it refuses a token that expired while a download waited for its turn.
 */
export async function startTokenRegistry({ storage }) {
  const dir = await mkdtemp(join(tmpdir(), 'digestlens-e2e-token-registry-'));
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=digestlens-test-token',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')]);
  const key = createPrivateKey(await readFile(join(dir, 'key.pem')));
  const certDer = new X509Certificate(await readFile(join(dir, 'cert.pem'))).raw;
  const tokensIssued = [];
  const state = { gate: null, held: 0, expired: false };
  const hold = () => {
    let release;
    state.gate = new Promise((resolve) => {
      release = resolve;
    });
    return () => {
      state.gate = null;
      release();
    };
  };
  const issueExpiredTokens = (on) => {
    state.expired = on;
  };

  const cors = {
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Allow-Methods': 'GET, OPTIONS',
    'Access-Control-Allow-Headers': 'Authorization',
  };
  const tokenServer = createServer(async (req, res) => {
    if (req.method === 'OPTIONS') return res.writeHead(204, cors).end();
    if (state.gate) {
      state.held++;
      await state.gate;
    }
    const url = new URL(req.url, 'http://token');
    const auth = req.headers.authorization;
    let user = 'anonymous';
    if (auth) {
      const [user_, password] = Buffer.from(auth.replace(/^Basic /, ''), 'base64').toString().split(':');
      if (!auth.startsWith('Basic ') || user_ !== 'digestlens' || password !== 'digestlens') {
        res.writeHead(401, { ...cors, 'Content-Type': 'application/json' }).end('{"details":"wrong user name or password"}');
        return;
      }
      user = user_;
    }
    const scopes = url.searchParams.getAll('scope');
    const access = scopes
      .map((scope) => scope.split(':'))
      .filter(([type]) => type === 'repository')
      .map(([type, name]) => ({ type, name, actions: ['pull'] }));
    const now = Math.floor(Date.now() / 1000) - (state.expired ? 3600 : 0);
    const header = { typ: 'JWT', alg: 'RS256', x5c: [certDer.toString('base64')] };
    const claims = { iss: TOKEN_ISSUER, sub: user, aud: url.searchParams.get('service'), exp: now + 300, nbf: now - 1, iat: now, jti: randomUUID(), access };
    const signed = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
    const token = `${signed}.${base64url(sign('sha256', Buffer.from(signed), key))}`;
    tokensIssued.push({ user, scopes });
    res.writeHead(200, { ...cors, 'Content-Type': 'application/json' }).end(JSON.stringify({ token, expires_in: 300 }));
  });
  const tokens = await listen(tokenServer);

  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  await writeFile(join(dir, 'config.yml'), `version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: ${storage}
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:${port}
  secret: digestlens-test-only-not-a-secret
  headers:
    Access-Control-Allow-Origin: ["*"]
    Access-Control-Allow-Methods: [HEAD, GET, OPTIONS]
    Access-Control-Allow-Headers: [Authorization, Accept]
    Access-Control-Expose-Headers: [Docker-Content-Digest, WWW-Authenticate, Content-Length]
auth:
  token:
    realm: ${tokens.origin}/token
    service: ${TOKEN_SERVICE}
    issuer: ${TOKEN_ISSUER}
    rootcertbundle: ${join(dir, 'cert.pem')}
`);
  const registry = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  registry.stderr.on('data', (d) => {
    log += d;
  });
  const stop = async () => {
    registry.kill();
    await tokens.close();
    await rm(dir, { recursive: true, force: true });
  };
  for (let i = 0; ; i++) {
    const status = await fetch(`${origin}/v2/`).then((r) => r.status, () => 0);
    if (status === 401) break;
    if (i > 100 || registry.exitCode !== null) {
      await stop();
      throw new Error(`token registry did not start (GET /v2/ -> ${status}): ${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    origin,
    host: `127.0.0.1:${port}`,
    tokenOrigin: tokens.origin,
    tokensIssued,
    hold,
    get held() {
      return state.held;
    },
    issueExpiredTokens,
    stop,
  };
}

/** A TCP server that accepts connections and never says a word. */
export async function startSilentServer() {
  const sockets = new Set();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
  });
  return listen(server, () => {
    for (const socket of sockets) socket.destroy();
  });
}

/**
 * What the registry itself says about an image, read with node's fetch (not the page): the top
 * manifest's Docker-Content-Digest and, walking down, the digests of its platform manifests and configs.
 */
export async function registryView(origin, repository, tag) {
  const get = async (path, accept) => {
    const res = await fetch(`${origin}/v2/${repository}/${path}`, { headers: accept ? { accept } : {} });
    if (!res.ok) throw new Error(`GET ${path}: ${res.status}`);
    return { digest: res.headers.get('docker-content-digest'), json: JSON.parse(await res.text()) };
  };
  const top = await get(`manifests/${tag}`, MANIFEST_ACCEPT);
  const manifests = top.json.manifests
    ? await Promise.all(top.json.manifests.map((d) => get(`manifests/${d.digest}`, MANIFEST_ACCEPT)))
    : [];
  const configs = (manifests.length ? manifests : [top]).map((m) => m.json.config.digest);
  return { top: top.digest, manifests: manifests.map((m) => m.digest), configs };
}

/** The faults `startFaultProxy` plays, each under `/<fault>/<registry URL>`. */
export const FAULTS = [
  'lying-digest', 'short-body', 'long-body', 'stalled-body', 'rate-limit', 'redirect-loop', 'auth-loop', 'huge', 'huge-blob',
  'huge-chunked', 'long-range', 'other-range', 'slow-range', 'other-blob', 'stalled-blob',
];

/**
 * A CORS proxy in front of the real registry at `upstream` that breaks manifest answers in one named
 * way per path prefix (see `FAULTS`); everything else (`/v2/` probes, blobs) it relays untouched:
 *
 * - `lying-digest`: the registry's body, with a Docker-Content-Digest naming other bytes.
 * - `short-body`: the registry's headers with a Content-Length 100 bytes over the body, then the
 *   connection is closed after the real bytes.
 * - `long-body`: a Content-Length 10 bytes under the body, and the whole body sent.
 * - `stalled-body`: the headers and half of the body, then silence (the connection stays open).
 * - `rate-limit`: 429 TOOMANYREQUESTS with `Retry-After: 37` (exposed to the page).
 * - `redirect-loop`: 302 to the very same URL, for ever.
 * - `auth-loop`: 401 with a Bearer challenge whose realm is a token server here that refuses every
 *   request (401), also for every `/v2/` path.
 * - `huge`: 200 with `Content-Length: 4294967296` (4 GiB), then a slow trickle of bytes.
 * - `huge-blob`: the same for blobs (the config), manifests relayed untouched.
 * - `huge-chunked`: 200 for manifests without Content-Length (chunked), then bytes as fast as the
 *   page reads them, for ever: the length is known only by reading.
 * - `long-range`: a blob `Range` request is sent on to the registry; its 206 status and Content-Range
 *   are relayed, but chunked without Content-Length, and after the registry's bytes come more, for ever.
 * - `other-range`: a blob `Range` request is sent on for as many bytes from the blob's start instead;
 *   the registry's 206 is relayed as it is, its Content-Range naming those other bytes.
 * - `slow-range`: a blob `Range` request is relayed with its answer, after 500 ms.
 * - `other-blob`: a blob GET for a digest that is a key of `otherBlobs` (set by the test: asked digest
 *   -> served digest) is answered with the bytes of the other blob of the same repository, under the
 *   asked blob's Docker-Content-Digest (a mirror that serves a stale or wrong blob); other requests
 *   relayed untouched. `hits['other-blob']` counts the swapped answers.
 * - `stalled-blob`: a blob GET for a digest in `stalledBlobs` (a Set the test fills) gets the
 *   registry's headers and half of the body, then silence; other requests relayed untouched.
 *   `hits['stalled-blob']` counts the stalled answers.
 *
 * Every fault exposes Content-Range, as our proxy does. Returns `{ origin, port, hits, rangeRequests,
 * tokenRequests, hugeBytesSent, rangeBytesSent, otherBlobs, stalledBlobs, close }`: `hits[fault]`
 * counts the manifest requests each fault answered (the blobs, for the blob faults),
 * `rangeRequests[fault]` the blob GETs with a Range header.
 */
export async function startFaultProxy(upstream) {
  const cors = {
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS',
    'Access-Control-Allow-Headers': 'Accept, Authorization',
    'Access-Control-Expose-Headers': 'Docker-Content-Digest, WWW-Authenticate, Retry-After, Content-Length, Content-Range',
  };
  const state = {
    hits: Object.fromEntries(FAULTS.map((f) => [f, 0])),
    rangeRequests: Object.fromEntries(FAULTS.map((f) => [f, 0])),
    tokenRequests: 0,
    hugeBytesSent: 0,
    rangeBytesSent: 0,
    otherBlobs: {},
    stalledBlobs: new Set(),
  };
  const timers = new Set();
  /** Writes 64 KiB chunks of spaces to `res` until it closes, as fast as it drains; counts them in `counter`. */
  const flood = (res, counter) => {
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const timer = setInterval(() => {
      if (res.destroyed) return clearInterval(timer);
      if (res.writableNeedDrain) return;
      res.write(chunk);
      state[counter] += chunk.length;
    }, 5);
    timers.add(timer);
    res.on('close', () => clearInterval(timer));
  };
  const server = createServer(async (req, res) => {
    if (req.method === 'OPTIONS') return res.writeHead(204, cors).end();
    const refuseToken = () => {
      state.tokenRequests++;
      res.writeHead(401, { ...cors, 'Content-Type': 'application/json' }).end('{"details":"never"}');
    };
    if (req.url.startsWith('/token')) return refuseToken();
    const match = /^\/([a-z-]+)\/(.*)$/s.exec(req.url);
    const fault = match && FAULTS.includes(match[1]) ? match[1] : null;
    let target;
    try {
      target = new URL(match?.[2] ?? '');
    } catch {
      return res.writeHead(400, cors).end('not a URL\n');
    }
    // The page asks for tokens through its proxy prefix too: `/auth-loop/<this proxy>/token?…`.
    if (fault === 'auth-loop' && target.host === req.headers.host && target.pathname === '/token') return refuseToken();
    if (!fault || target.origin !== upstream) return res.writeHead(403, cors).end('not a fault of this proxy\n');
    const manifest = target.pathname.includes('/manifests/');
    if (fault === 'auth-loop' && target.pathname.startsWith('/v2/')) {
      if (manifest) state.hits[fault]++;
      const proxyOrigin = `http://${req.headers.host}`;
      const challenge = `Bearer realm="${proxyOrigin}/token",service="never-grants",scope="repository:demo/oci:pull"`;
      return res
        .writeHead(401, { ...cors, 'Content-Type': 'application/json', 'WWW-Authenticate': challenge })
        .end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
    }
    if (manifest) state.hits[fault]++;
    if (manifest && fault === 'rate-limit') {
      return res
        .writeHead(429, { ...cors, 'Content-Type': 'application/json', 'Retry-After': '37' })
        .end('{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}');
    }
    if (manifest && fault === 'redirect-loop') {
      return res.writeHead(302, { ...cors, Location: req.url }).end();
    }
    const blob = target.pathname.includes('/blobs/');
    if (blob && fault === 'huge-blob') state.hits[fault]++;
    if (manifest && fault === 'huge-chunked') {
      res.writeHead(200, { ...cors, 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' });
      if (req.method === 'HEAD') return res.end();
      return flood(res, 'hugeBytesSent');
    }
    const range = req.headers.range;
    if (blob && range && req.method === 'GET' && ['long-range', 'other-range', 'slow-range'].includes(fault)) {
      state.rangeRequests[fault]++;
      const [, first, last] = /^bytes=(\d+)-(\d+)$/.exec(range) ?? [];
      const asked = fault === 'other-range' && first !== undefined ? `bytes=0-${Number(last) - Number(first)}` : range;
      if (fault === 'slow-range') await new Promise((r) => setTimeout(r, 500));
      try {
        const headers = { range: asked };
        if (req.headers.authorization) headers.authorization = req.headers.authorization;
        const answer = await fetch(target, { headers, redirect: 'manual' });
        const body = Buffer.from(await answer.arrayBuffer());
        const out = { ...cors };
        for (const name of ['content-type', 'content-range']) {
          const value = answer.headers.get(name);
          if (value !== null) out[name] = value;
        }
        if (fault !== 'long-range') return res.writeHead(answer.status, { ...out, 'Content-Length': body.length }).end(body);
        res.writeHead(answer.status, out);
        res.write(body);
        state.rangeBytesSent += body.length;
        return flood(res, 'rangeBytesSent');
      } catch (err) {
        return res.writeHead(502, cors).end(`${err}\n`);
      }
    }
    if ((manifest && fault === 'huge') || (blob && fault === 'huge-blob')) {
      res.writeHead(200, {
        ...cors,
        'Content-Type': 'application/vnd.oci.image.manifest.v1+json',
        'Content-Length': String(4 * 1024 ** 3),
      });
      // A HEAD answer has no body: node sends its headers only when it ends.
      if (req.method === 'HEAD') return res.end();
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const timer = setInterval(() => {
        if (res.destroyed) return clearInterval(timer);
        res.write(chunk);
        state.hugeBytesSent += chunk.length;
      }, 50);
      timers.add(timer);
      res.on('close', () => clearInterval(timer));
      return;
    }
    try {
      const headers = {};
      for (const name of ['accept', 'authorization']) if (req.headers[name]) headers[name] = req.headers[name];
      const asked = blob ? target.pathname.split('/').pop() : null;
      const other = fault === 'other-blob' && req.method === 'GET' ? state.otherBlobs[asked] : undefined;
      const served = other ? new URL(target.pathname.replace(asked, other), target) : target;
      const answer = await fetch(served, { headers, redirect: 'manual' });
      const body = Buffer.from(await answer.arrayBuffer());
      const out = { ...cors, 'Content-Length': body.length };
      for (const name of ['content-type', 'docker-content-digest']) {
        const value = answer.headers.get(name);
        if (value !== null) out[name] = value;
      }
      if (other && answer.ok) {
        state.hits[fault]++;
        out['docker-content-digest'] = asked;
      }
      if (fault === 'stalled-blob' && req.method === 'GET' && answer.ok && state.stalledBlobs.has(asked)) {
        state.hits[fault]++;
        res.writeHead(answer.status, out);
        res.write(body.subarray(0, body.length >> 1));
        return;
      }
      if (manifest && answer.ok && fault === 'lying-digest') {
        out['docker-content-digest'] = `sha256:${createHash('sha256').update('other bytes').digest('hex')}`;
      }
      if (manifest && answer.ok && fault === 'long-body') {
        res.writeHead(answer.status, { ...out, 'Content-Length': body.length - 10 }).end(body);
        return;
      }
      if (manifest && answer.ok && fault === 'stalled-body') {
        res.writeHead(answer.status, out);
        res.write(body.subarray(0, body.length >> 1));
        return;
      }
      if (manifest && answer.ok && fault === 'short-body') {
        res.writeHead(answer.status, { ...out, 'Content-Length': body.length + 100 });
        res.write(body, () => setTimeout(() => res.socket?.destroy(), 50));
        return;
      }
      res.writeHead(answer.status, out).end(body);
    } catch (err) {
      res.writeHead(502, cors).end(`${err}\n`);
    }
  });
  const listening = await listen(server, () => timers.forEach(clearInterval));
  return Object.assign(state, listening);
}

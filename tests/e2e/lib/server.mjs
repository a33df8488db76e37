// A tiny static file server for the built page, so the end-to-end tests need no npm server package.
// It listens on 127.0.0.1 on a random port and sends the MIME types a browser insists on
// (WebAssembly.instantiateStreaming refuses a .wasm that is not served as application/wasm).
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';

/** Content types by file extension; anything else is served as application/octet-stream. */
export const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
};

/**
 * Serves the files under `root` (a directory request serves its index.html).
 * Returns `{ origin, close }`; `origin` is like `http://127.0.0.1:43127`.
 */
export async function startStaticServer(root) {
  const base = resolve(root);
  const server = createServer(async (req, res) => {
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { Allow: 'GET, HEAD' }).end();
        return;
      }
      const file = await resolveFile(base, new URL(req.url, 'http://localhost').pathname);
      if (file === null) {
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
        return;
      }
      const body = await readFile(file);
      res.writeHead(200, {
        'Content-Type': MIME_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
        'Content-Length': body.length,
        'Cache-Control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (err) {
      res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`${err}\n`);
    }
  });
  return listen(server);
}

/** Listens on a random 127.0.0.1 port; returns `{ origin, port, close }`. `onClose` runs first on close. */
export async function listen(server, onClose = () => {}) {
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', ok);
  });
  const { port } = server.address();
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise((ok) => {
        onClose();
        server.close(() => ok());
        // A plain TCP server (net.Server) has no closeAllConnections.
        server.closeAllConnections?.();
      }),
  };
}

/** Maps a URL path to a file under `base`, or null; never leaves `base`. */
async function resolveFile(base, urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  const candidate = resolve(base, `.${decoded}`);
  if (candidate !== base && !candidate.startsWith(base + sep)) return null;
  const found = await stat(candidate).catch(() => null);
  if (found === null) return null;
  if (found.isDirectory()) {
    const index = join(candidate, 'index.html');
    const indexStat = await stat(index).catch(() => null);
    return indexStat?.isFile() ? index : null;
  }
  return found.isFile() ? candidate : null;
}

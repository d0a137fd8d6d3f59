import { createReadStream, readdirSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** Where `npm run build -w @capstan/web` puts the UI, seen from `server/src/http` and `server/dist/http` alike. */
const DEFAULT_ROOT = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json; charset=utf-8',
  map: 'application/json; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  jpg: 'image/jpeg',
  ico: 'image/x-icon',
  webp: 'image/webp',
  woff: 'font/woff',
  woff2: 'font/woff2',
  txt: 'text/plain; charset=utf-8',
  wasm: 'application/wasm',
};

function typeOf(path: string): string {
  const dot = path.lastIndexOf('.');
  return TYPES[dot < 0 ? '' : path.slice(dot + 1).toLowerCase()] ?? 'application/octet-stream';
}

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Capstan</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:44rem;margin:3rem auto;padding:0 1rem}code{background:#eee;padding:0 .3em;border-radius:3px}</style></head>
<body><h1>Capstan</h1>
<p>The server is running, but its web UI has not been built, so there is nothing to show here yet.</p>
<p>Build it from the repository root with <code>npm run build</code> (or only the UI with <code>npm run build -w @capstan/web</code>), then reload this page.</p>
<p>The MLflow REST API is served under <code>/api/2.0/mlflow/</code>; health at <a href="/health">/health</a>, metrics at <a href="/metrics">/metrics</a>.</p>
</body></html>`;

function notFound(reply: FastifyReply, url: string): FastifyReply {
  return reply.code(404).send({ error_code: 'ENDPOINT_NOT_FOUND', message: `No route for GET ${url.split('?')[0]}` });
}

/** The file under `root` that `relative` (already URL-decoded by the router) names, or `null` when it escapes `root` or is not a file. */
async function fileUnder(root: string, relative: string): Promise<{ path: string; size: number; mtime: Date } | null> {
  if (relative.includes('\0')) return null;
  const path = resolve(root, relative);
  if (!path.startsWith(root.endsWith(sep) ? root : root + sep)) return null;
  try {
    const info = await stat(path);
    return info.isFile() ? { path, size: info.size, mtime: info.mtime } : null;
  } catch {
    return null;
  }
}

/** Files other than `index.html` at the top of the build (favicons and the like), read once at startup. */
function topLevelFiles(root: string): string[] {
  try {
    return readdirSync(root, { withFileTypes: true }).filter((e) => e.isFile() && e.name !== 'index.html' && /^[\w-]+(\.[\w-]+)+$/.test(e.name)).map((e) => e.name);
  } catch {
    return [];
  }
}

/**
 * Serves the built web UI: `/` (and `/index.html`) from `index.html`, never cached so a new build
 * shows at once; `/assets/*`, content-hashed by Vite, cached for a year as immutable; other
 * top-level files of the build by name. Paths are resolved under the build folder and refused if
 * they leave it. Without a build, `/` explains how to make one.
 */
export function webRoutes(app: FastifyInstance, options: { root?: string } = {}): void {
  const root = resolve(options.root ?? DEFAULT_ROOT);

  const index = async (_request: unknown, reply: FastifyReply) => {
    const file = await fileUnder(root, 'index.html');
    if (!file) return reply.code(200).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(NOT_BUILT);
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .header('content-length', file.size)
      .send(createReadStream(file.path));
  };
  app.get('/', index);
  app.get('/index.html', index);

  for (const name of topLevelFiles(root)) {
    app.get(`/${name}`, async (request, reply) => {
      const file = await fileUnder(root, name);
      if (!file) return notFound(reply, request.url);
      return reply.type(typeOf(file.path)).header('cache-control', 'no-cache').header('x-content-type-options', 'nosniff').header('content-length', file.size).send(createReadStream(file.path));
    });
  }

  app.get('/assets/*', async (request, reply) => {
    const rest = (request.params as { '*': string })['*'] ?? '';
    const file = await fileUnder(resolve(root, 'assets'), rest);
    if (!file) return notFound(reply, request.url);
    return reply
      .type(typeOf(file.path))
      .header('cache-control', 'public, max-age=31536000, immutable')
      .header('x-content-type-options', 'nosniff')
      .header('content-length', file.size)
      .header('last-modified', file.mtime.toUTCString())
      .send(createReadStream(file.path));
  });
}

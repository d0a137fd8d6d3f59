import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCapstan } from '../../server/src/main.js';
import { webRoutes } from '../../server/src/http/web.js';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const built = existsSync(join(DIST, 'index.html'));

/** Sends a request line verbatim, so `..` segments reach the server unnormalised. */
function raw(base: string, path: string, method = 'GET'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, method, path }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe.skipIf(!built)('capstan server serves the built UI', () => {
  let dir: string;
  let server: Awaited<ReturnType<typeof startCapstan>>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'capstan-web-'));
    server = await startCapstan({ host: '127.0.0.1', port: 0, backendStoreUri: `sqlite:///${join(dir, 'capstan.db')}`, artifactsDestination: join(dir, 'artifacts') });
  });

  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html at / without long caching', async () => {
    const res = await fetch(`${server.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const html = await res.text();
    expect(html).toContain('<div id="root">');
    expect(html).toMatch(/\/assets\/index-[\w-]+\.js/);
  });

  it('serves hashed assets with their content type, cached as immutable', async () => {
    const assets = readdirSync(join(DIST, 'assets'));
    const js = assets.find((a) => a.endsWith('.js'))!;
    const css = assets.find((a) => a.endsWith('.css'))!;
    const jsRes = await fetch(`${server.url}/assets/${js}`);
    expect(jsRes.status).toBe(200);
    expect(jsRes.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(jsRes.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(jsRes.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await jsRes.text()).length).toBeGreaterThan(1000);
    const cssRes = await fetch(`${server.url}/assets/${css}`);
    expect(cssRes.headers.get('content-type')).toBe('text/css; charset=utf-8');
    await cssRes.body?.cancel();
  });

  it('answers a missing asset with a 404 error body', async () => {
    const res = await fetch(`${server.url}/assets/nope-123.js`);
    expect(res.status).toBe(404);
    await expect(res.json()).resolves.toMatchObject({ error_code: 'ENDPOINT_NOT_FOUND' });
  });

  it.each([
    '/assets/../../package.json',
    '/assets/%2e%2e/%2e%2e/package.json',
    '/assets/..%2f..%2fpackage.json',
    '/assets/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fpackage.json',
    '/assets/..\\..\\package.json',
  ])('refuses path traversal: %s', async (path) => {
    const res = await raw(server.url, path);
    expect(res.status).toBe(404);
    expect(res.text).not.toContain('"name"');
  });

  it('keeps the API and health routes working beside the UI', async () => {
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    const res = await fetch(`${server.url}/ajax-api/2.0/mlflow/experiments/search`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(200);
    expect((await raw(server.url, '/', 'HEAD')).status).toBe(200);
  });
});

describe('capstan server without a UI build', () => {
  it('explains how to build the UI at /', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'capstan-noweb-'));
    const app = Fastify();
    webRoutes(app, { root: empty });
    try {
      const res = await app.inject({ method: 'GET', url: '/' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.body).toContain('npm run build');
      expect((await app.inject({ method: 'GET', url: '/assets/index.js' })).statusCode).toBe(404);
    } finally {
      await app.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

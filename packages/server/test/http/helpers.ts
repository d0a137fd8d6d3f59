import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCapstan } from '../../src/main.js';

/** A real server on an ephemeral port over a fresh SQLite file and artifact folder. */
export async function startTestServer(backendStoreUri?: string, options: { serving?: { syncIntervalMs?: number; canaryIntervalMs?: number } } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'capstan-http-'));
  const server = await startCapstan({
    host: '127.0.0.1',
    port: 0,
    backendStoreUri: backendStoreUri ?? `sqlite:///${join(dir, 'capstan.db')}`,
    artifactsDestination: join(dir, 'artifacts'),
    ...options,
  });
  return {
    url: server.url,
    dir,
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** JSON response of one call. */
export interface Reply {
  status: number;
  body: Record<string, unknown>;
  text: string;
  headers: Headers;
}

/** Calls `path` with a JSON body (POST by default) or a query (GET). */
export async function call(base: string, method: string, path: string, payload?: unknown): Promise<Reply> {
  let url = `${base}${path}`;
  const init: RequestInit = { method, headers: { 'content-type': 'application/json' } };
  if (method === 'GET' && payload) url += `?${new URLSearchParams(payload as Record<string, string>)}`;
  else if (payload !== undefined) init.body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const res = await fetch(url, init);
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = {};
  }
  return { status: res.status, body, text, headers: res.headers };
}

/** Sends a request line verbatim (no URL normalisation), for traversal tests. */
export function rawRequest(base: string, method: string, rawPath: string, body?: string): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, method, path: rawPath }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

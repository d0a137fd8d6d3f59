// A minimal keep-alive HTTP client on node:http (no dependencies), identical for every target,
// so client overhead is the same for Capstan, MLflow and the limit server.
import http from 'node:http';

export class Client {
  /** @param {string} base e.g. http://127.0.0.1:5000 */
  constructor(base, { connections = 64 } = {}) {
    const u = new URL(base);
    this.host = u.hostname;
    this.port = Number(u.port);
    this.agent = new http.Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
  }

  /**
   * Sends one request; resolves { status, text } (text is the whole body as a string).
   * Never rejects on HTTP errors; rejects on network errors / timeout.
   */
  request(method, path, body, { timeoutMs = 600_000 } = {}) {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
      const headers = { accept: 'application/json' };
      if (payload !== undefined) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = Buffer.byteLength(payload);
      }
      const req = http.request({ host: this.host, port: this.port, method, path, headers, agent: this.agent, timeout: timeoutMs }, (res) => {
        const parts = [];
        res.on('data', (c) => parts.push(c));
        res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(parts).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms: ${method} ${path}`)));
      req.on('error', reject);
      if (payload !== undefined) req.end(payload);
      else req.end();
    });
  }

  /** Like request(), but parses JSON and throws on a non-2xx answer. */
  async json(method, path, body, opts) {
    const r = await this.request(method, path, body, opts);
    if (r.status < 200 || r.status >= 300) {
      const e = new Error(`${method} ${path} -> HTTP ${r.status}: ${r.text.slice(0, 300)}`);
      e.status = r.status;
      e.body = r.text;
      throw e;
    }
    return r.text ? JSON.parse(r.text) : {};
  }

  post(path, body, opts) { return this.json('POST', path, body, opts); }
  get(path, opts) { return this.json('GET', path, undefined, opts); }

  close() { this.agent.destroy(); }
}

const API = '/api/2.0/mlflow';

export async function createExperiment(client, name) {
  return (await client.post(`${API}/experiments/create`, { name })).experiment_id;
}

export async function createRun(client, experimentId, extra = {}) {
  return (await client.post(`${API}/runs/create`, { experiment_id: experimentId, ...extra })).run.info.run_id;
}

export { API };

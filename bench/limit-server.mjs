// The physical limit for ingest over HTTP on this machine: a bare node:http server that reads
// the whole body, JSON.parse-s it (as any server must), touches the metrics array, and answers
// `{}`. No validation, no storage. Usage: node bench/limit-server.mjs PORT
import http from 'node:http';

const port = Number(process.argv[2] ?? 0);
let points = 0;

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/health') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('OK');
    return;
  }
  const parts = [];
  req.on('data', (c) => parts.push(c));
  req.on('end', () => {
    let status = 200;
    try {
      const body = JSON.parse(Buffer.concat(parts).toString('utf8'));
      points += Array.isArray(body.metrics) ? body.metrics.length : 0;
    } catch {
      status = 400;
    }
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': 2 });
    res.end('{}');
  });
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));

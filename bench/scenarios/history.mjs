// Scenario 3: the full history of one metric with P steps (1,000,000 in the full run), seeded
// through log-batch (1000 points per request, 4 clients) identically on both servers, then
//   GET /api/2.0/mlflow/metrics/get-history?run_id=…&metric_key=loss
// following next_page_token if a server pages. Time = first request sent -> last body byte
// received (the body is parsed afterwards, outside the timing, to check the point count).
// Limit: the same rows read in-process from Capstan's database (better-sqlite3 / pg) in step
// order and JSON.stringify-ed in the wire shape; the query alone is reported too.
import Database from 'better-sqlite3';
import pg from 'pg';
import { Client, createExperiment, createRun, API } from '../lib/http.mjs';
import { freshStore, startCapstan, startMlflow, stopServer, ensurePsycopg } from '../lib/proc.mjs';
import { seed } from '../lib/seed.mjs';
import { log, ms, num, ratio, summary, table } from '../lib/stats.mjs';

const BASE_TS = 1_700_000_000_000;
const PER_REQUEST = 1000;

function batchBody(runId, reqNo) {
  let s = `{"run_id":"${runId}","metrics":[`;
  for (let i = 0; i < PER_REQUEST; i++) {
    const step = reqNo * PER_REQUEST + i;
    s += `${i ? ',' : ''}{"key":"loss","value":${1 / (1 + step)},"timestamp":${BASE_TS + step},"step":${step}}`;
  }
  return `${s}]}`;
}

async function seedServer(label, client, points, budgetMs) {
  const exp = await createExperiment(client, 'history-bench');
  const runId = await createRun(client, exp);
  const result = await seed(label, points / PER_REQUEST, 4, async (i) => {
    const r = await client.request('POST', `${API}/runs/log-batch`, batchBody(runId, i));
    if (r.status !== 200) throw new Error(`log-batch -> HTTP ${r.status}: ${r.text.slice(0, 300)}`);
  }, { budgetMs, unit: 'points', per: PER_REQUEST });
  return { runId, ...result, points: result.done * PER_REQUEST };
}

/**
 * Fetches every page; returns elapsed ms and the page bodies (parsed later). Uses a fresh
 * connection: between two fetches a connection sits idle for longer than uvicorn's 5 s
 * keep-alive timeout, and reusing it races with uvicorn closing it ("socket hang up").
 */
async function fetchHistory(base, runId) {
  const client = new Client(base.url, { connections: 1 });
  client.label = base.label;
  try {
    return await fetchPages(client, runId);
  } finally {
    client.close();
  }
}

async function fetchPages(client, runId) {
  const pages = [];
  let token = '';
  const t = performance.now();
  for (;;) {
    const qs = `run_id=${runId}&metric_key=loss${token ? `&page_token=${encodeURIComponent(token)}` : ''}`;
    let r;
    try {
      r = await client.request('GET', `${API}/metrics/get-history?${qs}`);
    } catch (error) {
      throw new Error(`get-history on ${client.label ?? 'server'} failed after ${Math.round(performance.now() - t)} ms: ${error.message}`);
    }
    if (r.status !== 200) throw new Error(`get-history -> HTTP ${r.status}: ${r.text.slice(0, 300)}`);
    pages.push(r.text);
    // The token is near the end of the body; avoid parsing 70 MB inside the timed loop.
    const m = /"next_page_token"\s*:\s*"([^"]+)"/.exec(r.text.slice(-2000));
    if (!m) break;
    token = m[1];
  }
  return { elapsed: performance.now() - t, pages };
}

function countPoints(pages) {
  let n = 0;
  let ordered = true;
  let last = -1;
  for (const text of pages) {
    for (const m of JSON.parse(text).metrics ?? []) {
      n++;
      const step = Number(m.step ?? 0);
      if (step < last) ordered = false;
      last = step;
    }
  }
  return { n, ordered, bytes: pages.reduce((a, p) => a + p.length, 0), pages: pages.length };
}

const HISTORY_SQL = 'SELECT step, timestamp, value, is_nan FROM metrics WHERE run_uuid = ? AND key = ? ORDER BY step, timestamp, value';
const wire = (rows) => JSON.stringify({ metrics: rows.map((r) => ({ key: 'loss', value: r.is_nan ? 'NaN' : r.value, timestamp: Number(r.timestamp), step: Number(r.step) })) });

async function rawLimit(store, runId) {
  if (store.backend === 'sqlite') {
    const db = new Database(store.file, { readonly: true });
    const stmt = db.prepare(HISTORY_SQL);
    return {
      async run() {
        const t0 = performance.now();
        const rows = stmt.all(runId, 'loss');
        const t1 = performance.now();
        const n = wire(rows).length;
        return { query: t1 - t0, total: performance.now() - t0, rows: rows.length, n };
      },
      close() { db.close(); },
    };
  }
  const c = new pg.Client({ connectionString: store.uri });
  await c.connect();
  return {
    async run() {
      const t0 = performance.now();
      const { rows } = await c.query(HISTORY_SQL.replace('?', '$1').replace('?', '$2'), [runId, 'loss']);
      const t1 = performance.now();
      const n = wire(rows).length;
      return { query: t1 - t0, total: performance.now() - t0, rows: rows.length, n };
    },
    close() { return c.end(); },
  };
}

export async function historyScenario({ backend, quick }) {
  const points = quick ? 100_000 : 1_000_000;
  const mlflowBudgetMs = Number(process.env.BENCH_MLFLOW_SEED_BUDGET_S ?? (quick ? 300 : 1200)) * 1000;
  const repsCapstan = quick ? 3 : 7;
  const repsMlflow = quick ? 2 : 3;
  if (backend === 'postgres' && !ensurePsycopg()) throw new Error('psycopg is not importable for MLflow');
  const stores = { capstan: await freshStore(backend, 'history-capstan'), mlflow: await freshStore(backend, 'history-mlflow') };
  const servers = {};
  let raw;
  try {
    log(`history/${backend}: starting servers`);
    servers.capstan = await startCapstan(stores.capstan);
    servers.mlflow = await startMlflow(stores.mlflow);
    const cc = new Client(servers.capstan.url, { connections: 4 });
    const mc = new Client(servers.mlflow.url, { connections: 4 });
    const cTarget = { url: servers.capstan.url, label: `Capstan (log ${servers.capstan.logFile})` };
    const mTarget = { url: servers.mlflow.url, label: `MLflow (log ${servers.mlflow.logFile})` };
    const seeded = {
      capstan: await seedServer(`history/${backend} seed Capstan`, cc, points, Infinity),
      mlflow: await seedServer(`history/${backend} seed MLflow`, mc, points, mlflowBudgetMs),
    };
    raw = await rawLimit(stores.capstan, seeded.capstan.runId);

    // Check + warm-up: one full fetch each, parsed.
    const check = {};
    cc.close();
    mc.close();
    for (const [name, target] of [['capstan', cTarget], ['mlflow', mTarget]]) {
      const r = await fetchHistory(target, seeded[name].runId);
      check[name] = { ...countPoints(r.pages), firstMs: r.elapsed };
      log(`history/${backend} ${name}: first fetch ${ms(r.elapsed)}, ${check[name].n.toLocaleString('en-US')} points in ${check[name].pages} page(s), ${num(check[name].bytes / 2 ** 20)} MiB, ordered ${check[name].ordered}`);
    }
    await raw.run();

    const t = { capstan: [], mlflow: [], raw: [], rawQuery: [] };
    for (let i = 0; i < repsCapstan; i++) {
      t.capstan.push((await fetchHistory(cTarget, seeded.capstan.runId)).elapsed);
      if (i < repsMlflow) t.mlflow.push((await fetchHistory(mTarget, seeded.mlflow.runId)).elapsed);
      const r = await raw.run();
      t.raw.push(r.total);
      t.rawQuery.push(r.query);
      log(`history/${backend} rep ${i + 1}: Capstan ${ms(t.capstan.at(-1))}${i < repsMlflow ? `, MLflow ${ms(t.mlflow.at(-1))}` : ''}, raw ${ms(r.total)} (query ${ms(r.query)})`);
    }
    const s = { capstan: summary(t.capstan), mlflow: summary(t.mlflow), raw: summary(t.raw), rawQuery: summary(t.rawQuery) };
    return report(backend, { points, seeded, check, s });
  } finally {
    await raw?.close();
    for (const sv of Object.values(servers)) await stopServer(sv);
    for (const st of Object.values(stores)) await st.drop();
  }
}

function report(backend, { points, seeded, check, s }) {
  const pps = (x, n) => num(n / (x.p50 / 1000));
  const md = [
    table(['target', 'points stored', 'points returned', 'pages', 'p50 time', 'min', 'max', 'points/s (p50)', 'fetches'], [
      ['Capstan', seeded.capstan.points.toLocaleString('en-US'), check.capstan.n.toLocaleString('en-US'), check.capstan.pages, ms(s.capstan.p50), ms(s.capstan.min), ms(s.capstan.max), pps(s.capstan, check.capstan.n), s.capstan.n],
      ['MLflow', seeded.mlflow.points.toLocaleString('en-US'), check.mlflow.n.toLocaleString('en-US'), check.mlflow.pages, ms(s.mlflow.p50), ms(s.mlflow.min), ms(s.mlflow.max), pps(s.mlflow, check.mlflow.n), s.mlflow.n],
      [`limit: raw ${backend === 'sqlite' ? 'better-sqlite3' : 'pg'} query + JSON.stringify`, seeded.capstan.points.toLocaleString('en-US'), check.capstan.n.toLocaleString('en-US'), '—', ms(s.raw.p50), ms(s.raw.min), ms(s.raw.max), pps(s.raw, check.capstan.n), s.raw.n],
      ['limit: raw query alone', '', '', '—', ms(s.rawQuery.p50), ms(s.rawQuery.min), ms(s.rawQuery.max), pps(s.rawQuery, check.capstan.n), s.rawQuery.n],
    ]),
    '',
    table(['ratio (p50)', 'value'], [
      ['MLflow ÷ Capstan (speed-up, per point)', `**${ratio(s.mlflow.p50 / check.mlflow.n, s.capstan.p50 / check.capstan.n)}**`],
      ['Capstan ÷ raw query + stringify (overhead)', ratio(s.capstan.p50, s.raw.p50)],
    ]),
  ].join('\n');
  const seedRate = (k) => `${num(seeded[k].points / seeded[k].seconds)} points/s (${Math.round(seeded[k].seconds)} s)`;
  const speedup = (s.mlflow.p50 / check.mlflow.n) / (s.capstan.p50 / check.capstan.n);
  const notes = [
    `Seeding: ${(points / PER_REQUEST).toLocaleString('en-US')} log-batch requests of 1000 points of one key on one run, 4 concurrent clients: Capstan ${seedRate('capstan')}, MLflow ${seedRate('mlflow')} — ${ratio(seeded.capstan.points / seeded.capstan.seconds, seeded.mlflow.points / seeded.mlflow.seconds)}.`,
    `Response: ${num(check.capstan.bytes / 2 ** 20)} MiB (Capstan) / ${num(check.mlflow.bytes / 2 ** 20)} MiB (MLflow); points in step order: Capstan ${check.capstan.ordered}, MLflow ${check.mlflow.ordered}. The speed-up is per point, in case the two servers hold different counts.`,
    `Goal ≥ 10× MLflow: ${speedup >= 10 ? 'met' : 'MISSED'} (${ratio(speedup, 1)}).`,
  ];
  if (check.capstan.n !== seeded.capstan.points) notes.push(`Capstan returned ${check.capstan.n} points but ${seeded.capstan.points} were logged.`);
  if (check.mlflow.n !== seeded.mlflow.points) notes.push(`MLflow returned ${check.mlflow.n} points but ${seeded.mlflow.points} were logged.`);
  if (seeded.mlflow.points < points) notes.push(`MLflow seeding was stopped at its time budget with ${seeded.mlflow.points.toLocaleString('en-US')} of ${points.toLocaleString('en-US')} points.`);
  for (const k of ['capstan', 'mlflow']) {
    if (seeded[k].errors.length) notes.push(`Errors while seeding ${k}: ${seeded[k].errors.length} failed attempts; first: ${seeded[k].errors[0]}`);
  }
  return { title: `metric history, one metric × ${points.toLocaleString('en-US')} steps (${backend})`, md, notes, data: { points, check, s, seeded: Object.fromEntries(Object.entries(seeded).map(([k, v]) => [k, { ...v, errors: v.errors.slice(0, 20) }])) } };
}

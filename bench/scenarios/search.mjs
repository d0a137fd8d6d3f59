// Scenario 2: search_runs over one experiment of N runs x 20 metrics x 20 params, seeded through
// the API (runs/create + one log-batch per run) identically on both servers; then a page of 100:
//   POST /api/2.0/mlflow/runs/search {experiment_ids, filter: "metrics.m1 > 0.5 and params.p1 = 'x'", max_results: 100}
// Latency = request sent -> whole response body received, queries run one at a time,
// Capstan / MLflow / raw SQL interleaved so that machine noise hits all of them alike.
// Limit: the same page straight from Capstan's database in-process (better-sqlite3 or pg): the
// filtered, ordered page of 100 runs + their latest metrics, params and tags, JSON.stringify-ed.
import Database from 'better-sqlite3';
import pg from 'pg';
import { Client, createExperiment, API } from '../lib/http.mjs';
import { freshStore, startCapstan, startMlflow, stopServer, ensurePsycopg } from '../lib/proc.mjs';
import { seed } from '../lib/seed.mjs';
import { log, ms, num, prng, ratio, summary, table } from '../lib/stats.mjs';

const FILTER = "metrics.m1 > 0.5 and params.p1 = 'x'";
const BASE_START = 1_700_000_000_000;

/** Run i's data, the same on every server. */
function runData(i) {
  const rnd = prng(i + 1);
  const metrics = [];
  const params = [];
  for (let k = 0; k < 20; k++) metrics.push({ key: `m${k}`, value: rnd(), timestamp: BASE_START + i * 1000, step: 0 });
  for (let k = 0; k < 20; k++) params.push({ key: `p${k}`, value: k === 1 ? (rnd() < 0.5 ? 'x' : 'y') : `v${Math.floor(rnd() * 100)}` });
  return { metrics, params };
}

async function seedServer(label, client, n, budgetMs, name = 'search-bench') {
  const exp = await createExperiment(client, name);
  const result = await seed(label, n, 8, async (i) => {
    const created = await client.post(`${API}/runs/create`, { experiment_id: exp, start_time: BASE_START + i * 1000, run_name: `run-${i}` });
    const { metrics, params } = runData(i);
    await client.post(`${API}/runs/log-batch`, { run_id: created.run.info.run_id, metrics, params });
  }, { budgetMs, unit: 'runs' });
  return { exp, ...result };
}

function rawLimitSqlite(file, exp) {
  const db = new Database(file, { readonly: true });
  const page = db.prepare(`SELECT r.* FROM runs r WHERE r.experiment_id = ? AND r.lifecycle_stage = 'active'
      AND EXISTS (SELECT 1 FROM latest_metrics x WHERE x.run_uuid = r.run_uuid AND x.key = 'm1' AND x.is_nan = 0 AND x.value > 0.5)
      AND EXISTS (SELECT 1 FROM params x WHERE x.run_uuid = r.run_uuid AND x.key = 'p1' AND x.value = 'x')
      ORDER BY r.start_time DESC, r.run_uuid ASC LIMIT 101`);
  const marks = Array.from({ length: 100 }, () => '?').join(', ');
  const sub = ['latest_metrics', 'params', 'tags'].map((t) => db.prepare(`SELECT * FROM ${t} WHERE run_uuid IN (${marks}) ORDER BY key`));
  return {
    run() {
      const runs = page.all(Number(exp)).slice(0, 100);
      const ids = runs.map((r) => r.run_uuid);
      while (ids.length < 100) ids.push('');
      const [metrics, params, tags] = sub.map((s) => s.all(...ids));
      return JSON.stringify({ runs, metrics, params, tags }).length;
    },
    close() { db.close(); },
  };
}

async function rawLimitPostgres(uri, exp) {
  const c = new pg.Client({ connectionString: uri });
  await c.connect();
  const marks = Array.from({ length: 100 }, (_, i) => `$${i + 1}`).join(', ');
  return {
    async run() {
      const runs = (await c.query({ name: 'page', text: `SELECT r.* FROM runs r WHERE r.experiment_id = $1 AND r.lifecycle_stage = 'active'
        AND EXISTS (SELECT 1 FROM latest_metrics x WHERE x.run_uuid = r.run_uuid AND x.key = 'm1' AND x.is_nan = 0 AND x.value > 0.5)
        AND EXISTS (SELECT 1 FROM params x WHERE x.run_uuid = r.run_uuid AND x.key = 'p1' AND x.value = 'x')
        ORDER BY r.start_time DESC, r.run_uuid ASC LIMIT 101`, values: [Number(exp)] })).rows.slice(0, 100);
      const ids = runs.map((r) => r.run_uuid);
      while (ids.length < 100) ids.push('');
      const [metrics, params, tags] = await Promise.all(['latest_metrics', 'params', 'tags'].map((t) =>
        c.query({ name: `sub-${t}`, text: `SELECT * FROM ${t} WHERE run_uuid IN (${marks}) ORDER BY key`, values: ids }).then((r) => r.rows)));
      return JSON.stringify({ runs, metrics, params, tags }).length;
    },
    close() { return c.end(); },
  };
}

/** Expected first page: the 100 matching runs with the latest start_time, from the generator. */
function expectedPage(seeded) {
  const names = [];
  for (let i = seeded.issued - 1; i >= 0 && names.length < 100; i--) {
    if (seeded.failed.includes(i)) continue;
    const { metrics, params } = runData(i);
    if (metrics[1].value > 0.5 && params[1].value === 'x') names.push(`run-${i}`);
  }
  return names;
}

function pageNames(text) {
  const body = JSON.parse(text);
  return (body.runs ?? []).map((r) => r.info.run_name);
}

export async function searchScenario({ backend, quick }) {
  const nRuns = quick ? 1000 : 10_000;
  const mlflowBudgetMs = Number(process.env.BENCH_MLFLOW_SEED_BUDGET_S ?? (quick ? 300 : 600)) * 1000;
  const qCapstan = quick ? 40 : 200;
  const qMlflow = quick ? 15 : 60;
  if (backend === 'postgres' && !ensurePsycopg()) throw new Error('psycopg is not importable for MLflow');
  const stores = { capstan: await freshStore(backend, 'search-capstan'), mlflow: await freshStore(backend, 'search-mlflow') };
  const servers = {};
  let raw;
  try {
    log(`search/${backend}: starting servers`);
    servers.capstan = await startCapstan(stores.capstan);
    servers.mlflow = await startMlflow(stores.mlflow);
    const cc = new Client(servers.capstan.url, { connections: 8 });
    const mc = new Client(servers.mlflow.url, { connections: 8 });
    const seeded = {};
    seeded.mlflow = await seedServer(`search/${backend} seed MLflow`, mc, nRuns, mlflowBudgetMs);
    seeded.capstan = await seedServer(`search/${backend} seed Capstan`, cc, nRuns, Infinity);
    // MLflow cut short by its time budget: also give Capstan an experiment of MLflow's size, so
    // that the ratio compares equal data (the full-size one still answers the p50 goal).
    if (seeded.mlflow.issued < nRuns) {
      seeded.capstanSame = await seedServer(`search/${backend} seed Capstan (MLflow's size)`, cc, seeded.mlflow.issued, Infinity, 'search-bench-same-size');
    }
    raw = backend === 'sqlite' ? rawLimitSqlite(stores.capstan.file, seeded.capstan.exp) : await rawLimitPostgres(stores.capstan.uri, seeded.capstan.exp);

    const body = (exp) => JSON.stringify({ experiment_ids: [exp], filter: FILTER, max_results: 100 });
    const query = async (client, exp) => {
      const t = performance.now();
      const r = await client.request('POST', `${API}/runs/search`, body(exp));
      const elapsed = performance.now() - t;
      if (r.status !== 200) throw new Error(`runs/search -> HTTP ${r.status}: ${r.text.slice(0, 300)}`);
      return { elapsed, text: r.text };
    };

    // Correctness first: both servers' first page against the generator's expectation.
    const check = {};
    const targets = [['capstan', cc], ['mlflow', mc], ...(seeded.capstanSame ? [['capstanSame', cc]] : [])];
    for (const [name, client] of targets) {
      const { text } = await query(client, seeded[name].exp);
      const got = pageNames(text);
      const want = expectedPage(seeded[name]);
      check[name] = { ok: got.length === 100 && got.join() === want.join(), got: got.length, bytes: text.length, hasNext: text.includes('next_page_token') };
      if (!check[name].ok) log(`search/${backend}: ${name} first page differs from the expected one (${got.length} runs; first ${got.slice(0, 3)} vs ${want.slice(0, 3)})`);
    }
    for (let i = 0; i < 3; i++) { await query(cc, seeded.capstan.exp); await query(mc, seeded.mlflow.exp); await raw.run(); }

    const lat = { capstan: [], mlflow: [], raw: [], capstanSame: [] };
    log(`search/${backend}: measuring (${qCapstan} Capstan, ${qMlflow} MLflow queries, interleaved)`);
    for (let i = 0; i < qCapstan; i++) {
      lat.capstan.push((await query(cc, seeded.capstan.exp)).elapsed);
      if (i < qMlflow) lat.mlflow.push((await query(mc, seeded.mlflow.exp)).elapsed);
      if (seeded.capstanSame) lat.capstanSame.push((await query(cc, seeded.capstanSame.exp)).elapsed);
      const t = performance.now();
      await raw.run();
      lat.raw.push(performance.now() - t);
    }
    cc.close();
    mc.close();
    const s = { capstan: summary(lat.capstan), mlflow: summary(lat.mlflow), raw: summary(lat.raw), capstanSame: seeded.capstanSame ? summary(lat.capstanSame) : null };
    log(`search/${backend}: p50 Capstan ${ms(s.capstan.p50)}, MLflow ${ms(s.mlflow.p50)}, raw ${ms(s.raw.p50)}`);
    return report(backend, { nRuns, seeded, check, s });
  } finally {
    await raw?.close();
    for (const sv of Object.values(servers)) await stopServer(sv);
    for (const st of Object.values(stores)) await st.drop();
  }
}

function report(backend, { nRuns, seeded, check, s }) {
  const row = (label, x, runs) => [label, runs, ms(x.p50), ms(x.p95), ms(x.mean), x.n];
  const runsOf = (k) => (seeded[k].done).toLocaleString('en-US');
  // The speed-up compares equal data: Capstan's same-size experiment when MLflow was cut short.
  const peer = s.capstanSame ?? s.capstan;
  const md = [
    table(['target', 'runs in experiment', 'p50', 'p95', 'mean', 'queries'], [
      row('Capstan', s.capstan, runsOf('capstan')),
      ...(s.capstanSame ? [row("Capstan, experiment of MLflow's size", s.capstanSame, runsOf('capstanSame'))] : []),
      row('MLflow', s.mlflow, runsOf('mlflow')),
      row(`limit: raw ${backend === 'sqlite' ? 'better-sqlite3' : 'pg'} query on Capstan's DB`, s.raw, runsOf('capstan')),
    ]),
    '',
    table(['ratio', 'p50', 'p95'], [
      [`MLflow ÷ Capstan (speed-up${s.capstanSame ? ', same number of runs' : ''})`, `**${ratio(s.mlflow.p50, peer.p50)}**`, ratio(s.mlflow.p95, peer.p95)],
      ['Capstan ÷ raw query (overhead)', ratio(s.capstan.p50, s.raw.p50), ratio(s.capstan.p95, s.raw.p95)],
    ]),
  ].join('\n');
  const seedRate = (k) => `${num(seeded[k].done / seeded[k].seconds)} runs/s (${Math.round(seeded[k].seconds)} s)`;
  const notes = [
    `Seeding through the API, 8 concurrent clients, one runs/create + one log-batch (20 metrics + 20 params) per run: Capstan ${seedRate('capstan')}, MLflow ${seedRate('mlflow')} — ${ratio(seeded.capstan.done / seeded.capstan.seconds, seeded.mlflow.done / seeded.mlflow.seconds)}.`,
    `Filter \`${FILTER}\` matches about 1 run in 4; page of 100, default order (start_time DESC). First page checked against the generator: Capstan ${check.capstan.ok ? 'correct' : `WRONG (${check.capstan.got} runs)`}, MLflow ${check.mlflow.ok ? 'correct' : `WRONG (${check.mlflow.got} runs)`}; response ${num(check.capstan.bytes / 1024)} KiB (Capstan) / ${num(check.mlflow.bytes / 1024)} KiB (MLflow).`,
    `Goal p50 ≤ 50 ms: ${s.capstan.p50 <= 50 ? 'met' : 'MISSED'} (${ms(s.capstan.p50)} at ${runsOf('capstan')} runs). Goal ≥ 10× MLflow: ${s.mlflow.p50 / peer.p50 >= 10 ? 'met' : 'MISSED'} (${ratio(s.mlflow.p50, peer.p50)}).`,
  ];
  if (seeded.mlflow.issued < nRuns) notes.push(`MLflow seeding was stopped at its ${Math.round(seeded.mlflow.seconds)} s time budget with ${seeded.mlflow.done.toLocaleString('en-US')} of ${nRuns.toLocaleString('en-US')} runs, so the speed-up is computed against a Capstan experiment of the same ${seeded.capstanSame.done.toLocaleString('en-US')} runs (same data); Capstan's own row is the full ${nRuns.toLocaleString('en-US')}.`);
  for (const k of Object.keys(seeded)) {
    if (seeded[k].errors.length) notes.push(`Errors while seeding ${k}: ${seeded[k].errors.length} failed attempts (${seeded[k].failed.length} runs failed for good); first: ${seeded[k].errors[0]}`);
  }
  return { title: `search_runs, page of 100 (${backend})`, md, notes, data: { nRuns, check, s, seeded: Object.fromEntries(Object.entries(seeded).map(([k, v]) => [k, { ...v, errors: v.errors.slice(0, 20) }])) } };
}

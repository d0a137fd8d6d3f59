// Scenario 4: cold start and idle memory. For each server: spawn with a fresh SQLite database
// (so schema creation / migrations are included), poll GET /health every 10 ms, and time spawn
// -> first 200. Then restart on the now-existing database ("warm DB"). RSS: `ps -o rss` summed
// over the server's whole process group, 3 s after the first 200 with no traffic.
//
// MLflow is measured twice: as `mlflow server` starts out of the box (4 uvicorn workers + the
// job-execution runner) and lean (`--workers 1`, MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false).
import { freshStore, startCapstan, startMlflow, stopServer, groupRss } from '../lib/proc.mjs';
import { log, ms, num, ratio, summary, table } from '../lib/stats.mjs';

const SETTLE_MS = 3000;

async function measure(label, start, reps) {
  const fresh = [];
  const warm = [];
  const rss = [];
  let procs = 0;
  for (let i = 0; i < reps; i++) {
    const store = await freshStore('sqlite', `startup-${label}`);
    try {
      let server = await start(store, `${label}-fresh`);
      fresh.push(server.readyMs);
      await new Promise((r) => setTimeout(r, SETTLE_MS));
      const m = groupRss(server.pgid);
      rss.push(m.mb);
      procs = m.processes;
      await stopServer(server);
      server = await start(store, `${label}-warm`);
      warm.push(server.readyMs);
      await stopServer(server);
      log(`startup ${label} #${i + 1}: fresh DB ${ms(fresh.at(-1))}, existing DB ${ms(warm.at(-1))}, idle RSS ${num(m.mb)} MB in ${m.processes} process(es)`);
    } finally {
      await store.drop();
    }
  }
  return { fresh: summary(fresh), warm: summary(warm), rss: summary(rss), procs };
}

export async function startupScenario({ quick }) {
  const reps = quick ? 2 : 5;
  const mlReps = quick ? 1 : 3;
  const r = {
    capstan: await measure('capstan', (store, name) => startCapstan(store, { name }), reps),
    mlflowDefault: await measure('mlflow-default', (store, name) => startMlflow(store, { name, jobs: true }), mlReps),
    mlflowLean: await measure('mlflow-lean', (store, name) => startMlflow(store, { name, workers: 1, jobs: false }), mlReps),
  };
  const row = (label, x) => [label, ms(x.fresh.p50), ms(x.fresh.max), ms(x.warm.p50), `${num(x.rss.p50)} MB`, x.procs, x.fresh.n];
  const md = [
    table(['server', 'start → first 200, fresh DB (median)', 'worst', 'start → first 200, existing DB (median)', 'idle RSS (median, whole process tree)', 'processes', 'starts'], [
      row('Capstan', r.capstan),
      row('MLflow, default (4 workers + job runner)', r.mlflowDefault),
      row('MLflow, lean (--workers 1, no job runner)', r.mlflowLean),
    ]),
    '',
    table(['ratio', 'fresh-DB start', 'existing-DB start', 'idle RSS'], [
      ['MLflow default ÷ Capstan', `**${ratio(r.mlflowDefault.fresh.p50, r.capstan.fresh.p50)}**`, ratio(r.mlflowDefault.warm.p50, r.capstan.warm.p50), `**${ratio(r.mlflowDefault.rss.p50, r.capstan.rss.p50)}**`],
      ['MLflow lean ÷ Capstan', ratio(r.mlflowLean.fresh.p50, r.capstan.fresh.p50), ratio(r.mlflowLean.warm.p50, r.capstan.warm.p50), ratio(r.mlflowLean.rss.p50, r.capstan.rss.p50)],
    ]),
  ].join('\n');
  const notes = [
    `Goal Capstan cold start < 1 s: ${r.capstan.fresh.max < 1000 ? 'met' : r.capstan.fresh.p50 < 1000 ? 'met at the median, MISSED at the worst start' : 'MISSED'} (median ${ms(r.capstan.fresh.p50)}, worst ${ms(r.capstan.fresh.max)}). Goal idle RSS < 120 MB: ${r.capstan.rss.max < 120 ? 'met' : 'MISSED'} (median ${num(r.capstan.rss.p50)} MB, max ${num(r.capstan.rss.max)} MB).`,
    `Timing starts at spawn (node/python interpreter start included) and ends at the first 200 from GET /health, polled every 10 ms. RSS is measured ${SETTLE_MS / 1000} s after that, idle.`,
  ];
  return { title: 'cold start and idle memory (SQLite)', md, notes, data: r };
}

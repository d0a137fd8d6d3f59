import { createHash } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { CapstanClient, DataApi, PipelinesClient, ServingApi, TERMINAL_RUN_STATUSES } from '@capstan/client';
import type { WirePipelineRun } from '@capstan/api';
import { startCapstan } from '@capstan/server';
import { DemoConsole, type DemoOutput } from './console.js';
import weatherPipeline, { DEMO } from './pipeline.js';
import { FEATURES, featuresOf, loadSeattleWeather, toCsv, type Day } from './weather.js';
import { DemoMonitoring } from './monitoring.js';

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Folder for the demo's database and artifacts (recreated). */
  dir: string;
  /** Port of the demo server (0: any free port). */
  port: number;
  /** A shorter run (CI): one replayed year, fewer tuning trials, faster replay. */
  quick: boolean;
  out?: DemoOutput;
}

/** What happened, with numbers; printed at the end and returned. */
export interface DemoSummary {
  url: string;
  dataVersions: number;
  pipelineRuns: { runId: string; trigger: string; status: string; seconds: number }[];
  modelVersions: string[];
  champion: string;
  replay: { days: number; requests: number; failed: number; labelsSent: number };
  accuracyByVersion: Record<string, { labeled: number; accuracy: number }>;
  alerts: { rule: string; summary: string; columns: string[] }[];
  canaries: { candidate: string; outcome: string; reason: string }[];
  monitoring?: Awaited<ReturnType<DemoMonitoring['report']>>;
  /** Each challenger in shadow against the champion on the same labeled days (from the prediction log). */
  shadowTrials: { candidate: string; champion: string; days: number; candidateAccuracy: number; championAccuracy: number }[];
  seconds: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The seed lifecycle on real data (Seattle weather 2012–2015 from vega-datasets): data version 1
 * (2012–2013) and its quality suite → tuned training in a pipeline → quality gate → register
 * and alias → deploy → replay of 2014–2015 day by day as live traffic, labels a week late, a new
 * data version every quarter → drift and performance alerts → the alert starts the retraining
 * pipeline on the newest data version → canary of the challenger → promotion or rollback.
 */
export async function runDemo(options: DemoOptions): Promise<DemoSummary> {
  const log = new DemoConsole(options.out);
  const dir = resolve(options.dir);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const quick = options.quick;
  const trials = quick ? 4 : 12;
  const dayMs = quick ? 30 : 60;
  const labelDelay = 7;
  const dataDropEvery = 30;
  const windowMs = quick ? 3000 : 5000;

  log.stage(`Starting Capstan on ${dir}`);
  const server = await startCapstan({
    host: '127.0.0.1', port: options.port, backendStoreUri: `sqlite:///${dir}/capstan.db`, artifactsDestination: `${dir}/artifacts`,
    serving: { canaryIntervalMs: 250 },
    monitoring: { evaluateIntervalMs: 500 },
  });
  const url = server.url;
  log.info(`server at ${url} (web UI: ${url}/)`);
  const client = new CapstanClient({ baseUrl: url });
  const data = new DataApi({ baseUrl: url });
  const pipelines = new PipelinesClient({ baseUrl: url });
  const serving = new ServingApi({ baseUrl: url });
  process.env.MLFLOW_TRACKING_URI = url;

  const summary: DemoSummary = {
    url, dataVersions: 0, pipelineRuns: [], modelVersions: [], champion: '', replay: { days: 0, requests: 0, failed: 0, labelsSent: 0 },
    accuracyByVersion: {}, alerts: [], canaries: [], shadowTrials: [], seconds: 0,
  };
  try {
    const days = loadSeattleWeather();
    const history = days.filter((d) => d.date < '2014-01-01');
    const replay = days.filter((d) => d.date >= '2014-01-01' && (!quick || d.date < '2015-01-01'));

    log.stage('Data version 1: Seattle weather 2012–2013, checked by its quality suite');
    await addVersion(data, history, 'weather 2012-2013');
    summary.dataVersions = 1;
    log.info(`${history.length} days, columns ${['date', ...FEATURES, 'weather'].join(', ')}`);

    log.stage(`Training pipeline: fetch + validate → TPE tuning (${trials} trials) → evaluation → gate → register`);
    await pipelines.put(weatherPipeline.spec);
    const first = await pipelines.run(weatherPipeline.spec.name, { version: 1, trials });
    const done = await watchRun(pipelines, first.runId, log);
    summary.pipelineRuns.push(runSummary(done));
    if (done.status !== 'SUCCEEDED') throw new Error(`the training pipeline ${done.status}: ${done.error ?? ''}`);
    const v1 = (await client.registeredModels.getAlias(DEMO.model, 'challenger')).version;
    summary.modelVersions.push(v1);
    await client.registeredModels.setAlias(DEMO.model, 'champion', v1);
    summary.champion = v1;
    log.info(`registered ${DEMO.model} version ${v1} as champion`);

    log.stage(`Deploy ${DEMO.deployment} ← models:/${DEMO.model}@champion (v${v1})`);
    await serving.create(DEMO.deployment, { variants: [{ modelUri: `models:/${DEMO.model}@champion` }] });
    const monitoring = new DemoMonitoring(url, windowMs);
    await monitoring.setup(history, log);

    log.stage(`Replaying ${replay.length} days (${replay[0]!.date} … ${replay.at(-1)!.date}) as live traffic; labels arrive ${labelDelay} days late`);
    const pending: { day: number; id: string; label: string; version: string }[] = [];
    const correct: Record<string, { labeled: number; right: number }> = {};
    const predicted = new Map<string, string>();
    let lastChallenger = v1;
    let canaryOf: string | null = null;
    let shadowOf: { version: string; since: number } | null = null;
    const shadowDays = quick ? 25 : 40;
    const labelled = new Map<string, string>();
    /** Sends one day to the deployment; counts it; the prediction id, answering version and label, or null when it failed. */
    const score = async (day: Day): Promise<{ id: string; version: string; label: string } | null> => {
      const res = await fetch(`${url}/deployments/${DEMO.deployment}/invocations`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ dataframe_records: [featuresOf(day)] }),
      });
      summary.replay.requests++;
      if (res.status !== 200) {
        summary.replay.failed++;
        await res.arrayBuffer();
        return null;
      }
      const body = await res.json() as { predictions: ({ label: string } | string)[] };
      const first = body.predictions[0]!;
      return {
        id: res.headers.get('x-capstan-prediction-id')!,
        version: (res.headers.get('x-capstan-model-version') ?? '').split('/')[1] ?? '?',
        label: typeof first === 'string' ? first : first.label,
      };
    };
    let lastPoll = 0;
    const poll = async (when: string): Promise<void> => {
      for (const alert of await monitoring.newAlerts()) {
        summary.alerts.push(alert);
        log.info(`${when}: ALERT ${alert.rule}: ${alert.summary}`);
      }
      const runs = await pipelines.listRuns({ pipeline: weatherPipeline.spec.name, maxResults: 20 });
      for (const run of runs) {
        if (summary.pipelineRuns.some((r) => r.runId === run.runId)) continue;
        if (!TERMINAL_RUN_STATUSES.includes(run.status)) continue;
        summary.pipelineRuns.push(runSummary(run));
        log.info(`${when}: pipeline run ${run.runId.slice(0, 8)} (${run.trigger?.kind ?? 'manual'}) ${run.status}`);
      }
      const challenger = await client.registeredModels.getAlias(DEMO.model, 'challenger').then((v) => v.version, () => lastChallenger);
      if (challenger !== lastChallenger && canaryOf === null && shadowOf === null) {
        lastChallenger = challenger;
        summary.modelVersions.push(challenger);
        // First the challenger scores every request in shadow, so both are judged on the same days once labels arrive.
        await serving.update(DEMO.deployment, { variants: [{ model: DEMO.model, version: summary.champion }], shadow: { model: DEMO.model, version: challenger, fraction: 1 } });
        shadowOf = { version: challenger, since: Date.now() };
        log.info(`${when}: challenger v${challenger} shadows champion v${summary.champion} until ${shadowDays} labeled days compare them`);
      }
      if (shadowOf !== null) {
        const pair = (await headToHead(serving, labelled, shadowOf.since)).find((h) => h.shadow === shadowOf!.version && h.champion === summary.champion);
        if (pair && pair.days >= shadowDays) {
          const evidence = `on the same ${pair.days} days: v${shadowOf.version} ${(pair.shadowAccuracy * 100).toFixed(1)}% vs champion v${summary.champion} ${(pair.championAccuracy * 100).toFixed(1)}%`;
          summary.shadowTrials.push({ candidate: shadowOf.version, champion: summary.champion, days: pair.days, candidateAccuracy: pair.shadowAccuracy, championAccuracy: pair.championAccuracy });
          if (pair.shadowAccuracy >= pair.championAccuracy - 0.01) {
            log.info(`${when}: ${evidence} → canary of v${shadowOf.version}`);
            await serving.canary(DEMO.deployment, { model: DEMO.model, version: shadowOf.version }, { steps: [25, 50, 100], stepSeconds: quick ? 1.5 : 3, minRequests: 10, maxErrorRate: 0.01, maxP99Ms: 500 });
            canaryOf = shadowOf.version;
          } else {
            log.info(`${when}: ${evidence} → rejected, no canary`);
            summary.canaries.push({ candidate: shadowOf.version, outcome: 'rejected', reason: evidence });
            await serving.update(DEMO.deployment, { variants: [{ model: DEMO.model, version: summary.champion }] });
          }
          shadowOf = null;
        }
      }
      if (canaryOf !== null) {
        const d = (await serving.get(DEMO.deployment)).deployment;
        const c = d.spec.canary;
        if (c && c.status !== 'running' && c.candidate.version === canaryOf) {
          summary.canaries.push({ candidate: canaryOf, outcome: c.status, reason: c.reason ?? '' });
          if (c.status === 'promoted') {
            await client.registeredModels.setAlias(DEMO.model, 'champion', canaryOf);
            summary.champion = canaryOf;
          }
          log.info(`${when}: canary of v${canaryOf} ${c.status}${c.reason ? ` (${c.reason})` : ''}`);
          canaryOf = null;
        }
      }
    };
    const running = async () => canaryOf !== null || shadowOf !== null || (await pipelines.listRuns({ pipeline: weatherPipeline.spec.name, maxResults: 20 })).some((r) => !TERMINAL_RUN_STATUSES.includes(r.status));
    for (let i = 0; i < replay.length; i++) {
      const day = replay[i]!;
      const started = performance.now();
      const answer = await score(day);
      if (answer) {
        pending.push({ day: i, id: answer.id, label: day.weather, version: answer.version });
        predicted.set(answer.id, answer.label);
      }
      while (pending.length && pending[0]!.day <= i - labelDelay) {
        const due = pending.findIndex((p) => p.day > i - labelDelay);
        const batch = pending.splice(0, due === -1 ? pending.length : due);
        await monitoring.feedback(batch.map((b) => ({ predictionId: b.id, label: b.label })));
        summary.replay.labelsSent += batch.length;
        for (const b of batch) {
          labelled.set(b.id, b.label);
          const c = (correct[b.version] ??= { labeled: 0, right: 0 });
          c.labeled++;
          if (predicted.get(b.id) === b.label) c.right++;
        }
      }
      if ((i + 1) % dataDropEvery === 0) {
        const known = days.filter((d) => d.date < replay[Math.max(0, i - labelDelay)]!.date);
        await addVersion(data, known, `weather through ${known.at(-1)!.date}`);
        summary.dataVersions++;
        log.info(`day ${day.date}: data version ${summary.dataVersions} (${known.length} labeled days)`);
      }
      if (performance.now() - lastPoll > 500) {
        lastPoll = performance.now();
        await poll(day.date);
      }
      log.progress(i + 1, replay.length, 'days', `${day.date} · alerts ${summary.alerts.length} · champion v${summary.champion}${shadowOf ? ` · shadow v${shadowOf.version}` : ''}${canaryOf ? ` · canary v${canaryOf}` : ''}`);
      const spent = performance.now() - started;
      if (spent < dayMs) await sleep(dayMs - spent);
    }
    summary.replay.days = replay.length;
    log.endBar();
    const tailStarted = Date.now();
    if (await running()) log.info('replay done; repeating the last month of traffic (labelled at once) until the retraining, its shadow trial and its canary finish');
    const tail: { predictionId: string; label: string }[] = [];
    for (let k = 0; (await running()) && Date.now() - tailStarted < 120_000; k++) {
      const day = replay[replay.length - 30 + (k % 30)]!;
      const answer = await score(day);
      if (answer) tail.push({ predictionId: answer.id, label: day.weather });
      if (k % 10 === 9) {
        await monitoring.feedback(tail);
        for (const t of tail) labelled.set(t.predictionId, t.label);
        summary.replay.labelsSent += tail.length;
        tail.length = 0;
        await poll('after replay');
      }
      await sleep(dayMs);
    }
    await poll('end');
    const report = await monitoring.report();
    summary.monitoring = report;
    summary.accuracyByVersion = Object.fromEntries(Object.entries(correct).map(([v, c]) => [v, { labeled: c.labeled, accuracy: c.right / c.labeled }]));
    
    summary.seconds = (performance.now() - log.started) / 1000;
    printSummary(summary, log, dir);
    return summary;
  } finally {
    await server.close();
  }
}

/** Champion and shadow on the same labeled requests, per (champion, shadow) pair, from the prediction log. */
async function headToHead(serving: ServingApi, labelOf: Map<string, string>, since: number): Promise<{ champion: string; shadow: string; days: number; championAccuracy: number; shadowAccuracy: number }[]> {
  const log = await serving.predictions(DEMO.deployment, { since, includeShadow: true, limit: 10_000 });
  const byId = new Map(log.map((p) => [p.id, p]));
  const pairs = new Map<string, { champion: string; shadow: string; days: number; championRight: number; shadowRight: number }>();
  const labelOfRecord = (p: (typeof log)[number]) => (p.outputs?.label as unknown[] | undefined)?.[0];
  for (const shadow of log.filter((p) => p.shadow && p.status === 'ok')) {
    const primary = byId.get(shadow.id.replace(/\.shadow$/, ''));
    const truth = primary && labelOf.get(primary.id);
    if (!primary || !truth || primary.status !== 'ok') continue;
    const key = `${primary.version}/${shadow.version}`;
    let pair = pairs.get(key);
    if (!pair) pairs.set(key, (pair = { champion: primary.version, shadow: shadow.version, days: 0, championRight: 0, shadowRight: 0 }));
    pair.days++;
    if (labelOfRecord(primary) === truth) pair.championRight++;
    if (labelOfRecord(shadow) === truth) pair.shadowRight++;
  }
  return [...pairs.values()].map((p) => ({ champion: p.champion, shadow: p.shadow, days: p.days, championAccuracy: p.championRight / p.days, shadowAccuracy: p.shadowRight / p.days }));
}

async function addVersion(data: DataApi, days: readonly Day[], message: string): Promise<void> {
  const bytes = Buffer.from(toCsv(days));
  const digest = createHash('sha256').update(bytes).digest('hex');
  if ((await data.missingBlobs([digest])).length) await data.putBlob(digest, bytes, { size: bytes.length });
  await data.createVersion(DEMO.dataset, [{ path: DEMO.file, digest, size: bytes.length }], { message });
}

async function watchRun(pipelines: PipelinesClient, runId: string, log: DemoConsole): Promise<WirePipelineRun> {
  const seen = new Map<string, string>();
  return pipelines.watch(runId, (run) => {
    for (const s of run.steps ?? []) {
      const key = `${s.step}${s.iteration === undefined ? '' : `[${s.iteration}]`}`;
      if (seen.get(key) === s.state) continue;
      seen.set(key, s.state);
      if (['COMPLETE', 'CACHED', 'FAILED', 'SKIPPED'].includes(s.state)) log.info(`${s.state === 'FAILED' ? '✗' : '✓'} ${key} ${s.state}${s.error ? `: ${s.error}` : ''}`);
    }
  }, { intervalMs: 300 });
}

function runSummary(run: WirePipelineRun): DemoSummary['pipelineRuns'][number] {
  return { runId: run.runId, trigger: run.trigger?.kind ?? 'manual', status: run.status, seconds: ((run.endedAt ?? Date.now()) - (run.startedAt ?? run.createdAt)) / 1000 };
}

function printSummary(s: DemoSummary, log: DemoConsole, dir: string): void {
  log.stage(`Summary (${s.seconds.toFixed(0)} s)`);
  log.info(`data versions: ${s.dataVersions}; model versions: ${s.modelVersions.map((v) => `v${v}`).join(', ')}; champion now v${s.champion}`);
  log.info(`pipeline runs: ${s.pipelineRuns.map((r) => `${r.trigger} ${r.status} in ${r.seconds.toFixed(1)} s`).join('; ')}`);
  log.info(`replay: ${s.replay.days} days, ${s.replay.requests} requests, ${s.replay.failed} failed, ${s.replay.labelsSent} labels`);
  for (const [v, a] of Object.entries(s.accuracyByVersion)) log.info(`accuracy of v${v} on replayed days it answered: ${(a.accuracy * 100).toFixed(1)}% over ${a.labeled} labeled days`);
  if (s.monitoring) {
    const m = s.monitoring;
    log.info(`drift: ${m.driftedWindows} of ${m.driftWindows} monitoring windows drifted against the 2012–2013 reference`);
    const accs = m.performance.filter((p) => p.accuracy !== null).map((p) => `${((p.accuracy ?? 0) * 100).toFixed(0)}%`);
    if (accs.length) log.info(`accuracy per window (from late labels): ${accs.join(' → ')}`);
  }
  for (const t of s.shadowTrials) log.info(`shadow trial: v${t.candidate} ${(t.candidateAccuracy * 100).toFixed(1)}% vs champion v${t.champion} ${(t.championAccuracy * 100).toFixed(1)}% on the same ${t.days} labeled days`);
  for (const a of s.alerts) log.info(`alert ${a.rule}: ${a.summary}`);
  for (const c of s.canaries) log.info(`canary v${c.candidate}: ${c.outcome}${c.reason ? ` (${c.reason})` : ''}`);
  log.info(`see every step in the UI: npx capstan server --backend-store-uri sqlite:///${dir}/capstan.db --artifacts-destination ${dir}/artifacts`);
}

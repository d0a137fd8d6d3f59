import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { CapstanError, ErrorCode, MONITOR_ALERT_METRICS, type WireAlert, type WireDriftWindow, type WireMetrics, type WirePerformanceWindow, type WireWebhook } from '@capstan/api';
import { MonitoringApi, type FeedbackItem, type MonitorOptions } from '@capstan/client';
import { clientFor, collect, emit, positiveInt, withCommon, type CommonOptions } from '../context.js';
import { formatTime } from '../output/format.js';
import { renderDetails, renderTable } from '../output/table.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `90s`, `15m`, `1h`, `7d` or a number of milliseconds. */
export function parseDuration(value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(value);
  if (!m) throw new InvalidArgumentError(`'${value}' is not a duration: use e.g. 30s, 15m, 1h, 7d or milliseconds.`);
  const ms = Number(m[1]) * UNITS[m[2] ?? 'ms']!;
  if (!(ms > 0)) throw new InvalidArgumentError(`'${value}' must be longer than 0.`);
  return Math.round(ms);
}

/** Parses a time: milliseconds since the epoch, an ISO date, or a duration ago (`24h`). */
export function parseTime(value: string, now = Date.now()): number {
  if (/^\d{12,}$/.test(value.trim())) return Number(value);
  if (/^\s*\d+(?:\.\d+)?\s*(ms|s|m|h|d)\s*$/.test(value)) return now - parseDuration(value);
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new InvalidArgumentError(`'${value}' is not a time: use an ISO date (2026-01-31T12:00Z), milliseconds since the epoch, or a duration ago such as 24h.`);
  return t;
}

function number(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`'${value}' is not a number.`);
  return n;
}

/** The monitoring API for `--tracking-uri`, with the same credentials as other commands. */
export function monitoringFor(options: Pick<CommonOptions, 'trackingUri'>, env: NodeJS.ProcessEnv = process.env): MonitoringApi {
  clientFor(options, env);
  const token = env.CAPSTAN_TRACKING_TOKEN || env.MLFLOW_TRACKING_TOKEN;
  const headers: Record<string, string> = {};
  if (!token && env.MLFLOW_TRACKING_USERNAME) headers.authorization = `Basic ${Buffer.from(`${env.MLFLOW_TRACKING_USERNAME}:${env.MLFLOW_TRACKING_PASSWORD ?? ''}`).toString('base64')}`;
  return new MonitoringApi({ baseUrl: options.trackingUri, headers, ...(token ? { token } : {}) });
}

type Cell = string | number | boolean | null;

/** Splits CSV text (RFC 4180 quoting) into rows of fields. */
export function parseCsv(text: string, delimiter = ','): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === delimiter) { row.push(field); field = ''; }
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      field = '';
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
    } else field += ch;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

function csvCell(text: string): Cell {
  const t = text.trim();
  if (t === '') return null;
  const n = Number(t);
  return Number.isFinite(n) && /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t) ? n : text;
}

/**
 * Reads a table file into JSON columns. CSV/TSV cells are numbers when they parse as numbers,
 * empty is null, anything else is text (so labels such as yes/no stay strings); JSON is an array
 * of records or an object of columns; JSONL is one record per line; Parquet is read by DuckDB.
 * @throws INVALID_PARAMETER_VALUE for an empty or malformed file
 */
export async function readTable(path: string): Promise<Record<string, Cell[]>> {
  const lower = path.toLowerCase();
  if (lower.endsWith('.parquet')) {
    const { readColumns } = await import('@capstan/server/drift');
    const columns = await readColumns(path, {});
    return Object.fromEntries(columns.map((c) => [c.name, c.dtype === 'float' || c.dtype === 'int'
      ? Array.from(c.values as Float64Array, (v) => (Number.isFinite(v) ? v : null))
      : c.dtype === 'bool' ? (c.values as (string | null)[]).map((v) => (v === null ? null : v === 'true')) : (c.values as (string | null)[])]));
  }
  const text = await readFile(path, 'utf8');
  const bad = (why: string) => new CapstanError(ErrorCode.INVALID_PARAMETER_VALUE, `${path}: ${why}`);
  const fromRecords = (records: unknown[]): Record<string, Cell[]> => {
    if (records.length === 0) throw bad('no rows.');
    const names = [...new Set(records.flatMap((r) => (r && typeof r === 'object' ? Object.keys(r) : [])))];
    return Object.fromEntries(names.map((n) => [n, records.map((r) => ((r as Record<string, Cell>)[n] ?? null))]));
  };
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) {
    const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
    return fromRecords(lines.map((l, i) => {
      try { return JSON.parse(l) as unknown; } catch { throw bad(`line ${i + 1} is not JSON.`); }
    }));
  }
  if (lower.endsWith('.json')) {
    let parsed: unknown;
    try { parsed = JSON.parse(text); } catch (e) { throw bad(`not JSON (${(e as Error).message}).`); }
    if (Array.isArray(parsed)) return fromRecords(parsed);
    const body = parsed as { items?: unknown[] } | null;
    if (body && Array.isArray(body.items)) return fromRecords(body.items);
    if (body && typeof body === 'object') return body as Record<string, Cell[]>;
    throw bad('expected an array of records or an object of columns.');
  }
  if (!lower.endsWith('.csv') && !lower.endsWith('.tsv') && !lower.endsWith('.txt')) throw bad('use a .csv, .tsv, .json, .jsonl or .parquet file.');
  const rows = parseCsv(text, lower.endsWith('.tsv') ? '\t' : ',');
  if (rows.length < 2) throw bad('no rows after the header.');
  const header = rows[0]!.map((h) => h.trim());
  rows.slice(1).forEach((r, i) => { if (r.length !== header.length) throw bad(`line ${i + 2} has ${r.length} fields, the header ${header.length}.`); });
  return Object.fromEntries(header.map((h, j) => [h, rows.slice(1).map((r) => csvCell(r[j]!))]));
}

const fmt = (v: number | null | undefined, digits = 4) => (v === null || v === undefined || Number.isNaN(v) ? '–' : Math.abs(v) >= 1000 ? v.toFixed(0) : v.toFixed(digits));
const pct = (v: number | null | undefined) => (v === null || v === undefined ? '–' : `${(v * 100).toFixed(1)}%`);

function windowLabel(start: number, windowMs: number): string {
  const iso = new Date(start).toISOString();
  return windowMs >= 86_400_000 ? iso.slice(5, 10) : iso.slice(5, 16).replace('T', ' ');
}

/** A heat map as text: one row per column, one cell per window (score, `*` when drifted). */
export function driftHeatmap(windows: WireDriftWindow[], windowMs: number, which: 'inputs' | 'predictions'): string {
  const shown = windows.filter((w) => w.rows > 0).slice(-12);
  if (shown.length === 0) return 'No traffic in the range.';
  const names = [...new Set(shown.flatMap((w) => Object.keys(w[which]?.columns ?? {})))].sort();
  const rows = [
    { name: 'rows', cells: shown.map((w) => String(w.rows)) },
    { name: 'dataset drift', cells: shown.map((w) => (w[which] ? `${w[which]!.number_of_drifted_columns}/${w[which]!.number_of_columns}${w[which]!.dataset_drift ? ' *' : ''}` : w.error ? 'error' : '–')) },
    ...names.map((n) => ({ name: n, cells: shown.map((w) => {
      const c = w[which]?.columns[n];
      return c ? `${fmt(c.score, 3)}${c.drift_detected ? ' *' : ''}` : '–';
    }) })),
  ];
  return renderTable(rows, [{ header: 'column', value: (r) => r.name }, ...shown.map((w, i) => ({ header: windowLabel(w.start, windowMs), value: (r: { cells: string[] }) => r.cells[i]! }))]);
}

function metricsText(m: WireMetrics): string {
  return Object.entries(m).map(([k, v]) => `${k} ${fmt(v)}`).join(', ') || '–';
}

function performanceTable(windows: WirePerformanceWindow[], windowMs: number, regression: boolean): string {
  const shown = windows.filter((w) => w.rows > 0);
  if (shown.length === 0) return 'No traffic in the range.';
  const metrics = regression ? ['mae', 'rmse', 'r2'] : ['accuracy', 'f1', 'roc_auc'];
  return renderTable(shown, [
    { header: 'window', value: (w) => windowLabel(w.start, windowMs) },
    { header: 'rows', value: (w) => String(w.rows) },
    { header: 'labels', value: (w) => pct(w.labelCoverage) },
    ...metrics.map((m) => ({ header: m, value: (w: WirePerformanceWindow) => `${fmt(w.metrics[m])}${w.change[m] !== null && w.change[m] !== undefined ? ` (${w.change[m]! >= 0 ? '+' : ''}${fmt(w.change[m])})` : ''}` })),
    ...(regression ? [] : [{ header: 'est. accuracy', value: (w: WirePerformanceWindow) => fmt(w.estimated.estimated_accuracy) }, { header: 'est. auc', value: (w: WirePerformanceWindow) => fmt(w.estimated.estimated_roc_auc) }]),
  ]);
}

function alertsTable(alerts: WireAlert[]): string {
  return renderTable(alerts, [
    { header: 'time', value: (a) => formatTime(a.time) },
    { header: 'deployment', value: (a) => a.deployment },
    { header: 'severity', value: (a) => a.severity },
    { header: 'summary', value: (a) => a.summary },
    { header: 'id', value: (a) => a.id },
  ], 'No alerts.');
}

function webhooksTable(hooks: WireWebhook[]): string {
  return renderTable(hooks, [
    { header: 'id', value: (w) => w.id },
    { header: 'url', value: (w) => w.url },
    { header: 'events', value: (w) => w.events.join(', ') },
    { header: 'description', value: (w) => w.description },
    { header: 'created', value: (w) => formatTime(w.createdAt) },
  ], 'No webhooks.');
}

interface RangeFlags { since?: number; until?: number }
const range = (o: RangeFlags) => ({ ...(o.since !== undefined ? { since: o.since } : {}), ...(o.until !== undefined ? { until: o.until } : {}) });

/** `capstan monitor ...`: monitors of deployments (drift, performance, references, rules). */
export function monitorCommand(program: Command): void {
  const monitor = program.command('monitor').description('Monitor deployments: input and prediction drift per window, segments, performance from feedback, alert rules');

  withCommon(monitor.command('create'))
    .description('Create the monitor of a deployment')
    .argument('<deployment>', 'deployment name')
    .requiredOption('--task <task>', 'classification or regression')
    .option('--window <duration>', 'window width, e.g. 1h (default), 15m, 1d', parseDuration)
    .option('--segment <column>', 'categorical input watched per value (repeatable)', collect)
    .option('--positive-class <label>', 'positive class of a classifier (default 1)')
    .option('--score-index <n>', 'column of the probability output holding P(positive) (default 1)', (v) => Number(positiveIntOrZero(v)))
    .option('--prediction-output <name>', 'output with the predicted label or value (default label, else the first)')
    .option('--score-output <name>', 'output with class probabilities (default probabilities)')
    .option('--target-column <name>', 'label column in reference rows (default target)')
    .option('--stattest <name>', 'one stattest for every column (default: chosen per column as Evidently does)')
    .option('--threshold <x>', 'one drift threshold for every column', number)
    .option('--drift-share <x>', 'share of drifted columns at which the dataset drifts (default 0.5)', number)
    .action(async (deployment: string, opts: CommonOptions & { task: string; window?: number; segment?: string[]; positiveClass?: string; scoreIndex?: number; predictionOutput?: string; scoreOutput?: string; targetColumn?: string; stattest?: string; threshold?: number; driftShare?: number }) => {
      if (opts.task !== 'classification' && opts.task !== 'regression') throw new CapstanError(ErrorCode.INVALID_PARAMETER_VALUE, `--task must be classification or regression, got '${opts.task}'.`);
      const drift = { ...(opts.stattest ? { stattest: opts.stattest } : {}), ...(opts.threshold !== undefined ? { threshold: opts.threshold } : {}), ...(opts.driftShare !== undefined ? { driftShare: opts.driftShare } : {}) };
      const options: MonitorOptions = {
        task: opts.task, drift,
        ...(opts.window ? { windowMs: opts.window } : {}), ...(opts.segment ? { segmentColumns: opts.segment } : {}),
        ...(opts.positiveClass !== undefined ? { positiveClass: opts.positiveClass } : {}), ...(opts.scoreIndex !== undefined ? { scoreIndex: opts.scoreIndex } : {}),
        ...(opts.predictionOutput ? { predictionOutput: opts.predictionOutput } : {}), ...(opts.scoreOutput ? { scoreOutput: opts.scoreOutput } : {}),
        ...(opts.targetColumn ? { targetColumn: opts.targetColumn } : {}),
      };
      const created = await monitoringFor(opts).create(deployment, options);
      emit(opts, { monitor: created }, () => `Created monitor of '${deployment}' (${created.task}, windows of ${created.windowMs / 60_000} min${created.segmentColumns.length ? `, segments ${created.segmentColumns.join(', ')}` : ''}). Next: capstan monitor reference ${deployment} TRAINING_FILE`);
    });

  withCommon(monitor.command('show'))
    .description('Show a monitor, its reference and its alert rules')
    .argument('<deployment>', 'deployment name')
    .action(async (deployment: string, opts: CommonOptions) => {
      const api = monitoringFor(opts);
      const [result, rules] = await Promise.all([api.get(deployment), api.rules(deployment)]);
      emit(opts, { ...result, rules }, () => {
        const { monitor: m, reference: r } = result;
        const details = renderDetails([
          ['deployment', m.deployment], ['task', m.task], ['window', `${m.windowMs / 60_000} min`],
          ['segments', m.segmentColumns.join(', ') || '–'], ['positive class', m.task === 'classification' ? m.positiveClass : '–'],
          ['reference', r ? `${r.rows} rows from ${r.source}, ${formatTime(r.createdAt)}` : 'none (capstan monitor reference)'],
          ['features', r?.features.join(', ') ?? '–'],
          ['reference performance', r ? `${metricsText(r.performance)} (${r.labeledRows} labeled rows)` : '–'],
          ['calibration', r?.calibration ? `${r.calibration.used ? 'isotonic' : 'none'}: ${r.calibration.reason}` : '–'],
        ]);
        const ruleText = rules.length === 0 ? 'No alert rules.' : renderTable(rules, [
          { header: 'rule', value: (x) => x.name }, { header: 'severity', value: (x) => x.severity },
          { header: 'window', value: (x) => `${x.windowMs / 60_000} min` }, { header: 'last fired', value: (x) => (x.lastFiredAt ? formatTime(x.lastFiredAt) : '–') }, { header: 'id', value: (x) => x.id },
        ]);
        return `${details}\n\n${ruleText}`;
      });
    });

  withCommon(monitor.command('reference'))
    .description('Set the reference: training rows from a file (CSV, TSV, JSON, JSONL, Parquet; features plus optional target, prediction, score) or a window of the deployment\'s own log')
    .argument('<deployment>', 'deployment name')
    .argument('[file]', 'reference rows')
    .option('--since <time>', 'from the prediction log: start (ISO date, ms, or a duration ago such as 7d)', (v) => parseTime(v))
    .option('--until <time>', 'from the prediction log: end (default now)', (v) => parseTime(v))
    .action(async (deployment: string, file: string | undefined, opts: CommonOptions & RangeFlags) => {
      if ((file === undefined) === (opts.since === undefined)) throw new CapstanError(ErrorCode.INVALID_PARAMETER_VALUE, 'Give either a FILE of reference rows or --since (and optionally --until) for a window of the prediction log.');
      const api = monitoringFor(opts);
      const reference = file ? await api.setReference(deployment, { columns: await readTable(file) }) : await api.setReference(deployment, { since: opts.since!, until: opts.until ?? Date.now() });
      emit(opts, { reference }, () => `Reference of '${deployment}': ${reference.rows} rows, features ${reference.features.join(', ')}${reference.labeledRows ? `; ${metricsText(reference.performance)} on ${reference.labeledRows} labeled rows` : ''}.`);
    });

  withCommon(monitor.command('drift'))
    .description('Drift of inputs (or predictions) per window as a heat map: scores, * where a column drifted; --segment for slices')
    .argument('<deployment>', 'deployment name')
    .option('--since <time>', 'start (ISO date, ms, or a duration ago such as 24h; default 24 windows ago)', (v) => parseTime(v))
    .option('--until <time>', 'end (default now)', (v) => parseTime(v))
    .option('--predictions', 'show the drift of the predictions instead of the inputs')
    .option('--segment <column>', 'drift within each value of a segment column over the whole range')
    .action(async (deployment: string, opts: CommonOptions & RangeFlags & { predictions?: boolean; segment?: string }) => {
      const api = monitoringFor(opts);
      if (opts.segment) {
        const seg = await api.segments(deployment, opts.segment, range(opts));
        emit(opts, seg, () => renderTable(seg.segments, [
          { header: opts.segment!, value: (s) => s.value }, { header: 'rows', value: (s) => String(s.rows) }, { header: 'reference rows', value: (s) => String(s.referenceRows) },
          { header: 'drifted', value: (s) => (s.report ? Object.entries(s.report.columns).filter(([, c]) => c.drift_detected).map(([n, c]) => `${n} (${fmt(c.score, 3)})`).join(', ') || 'none' : '–') },
        ]));
        return;
      }
      const result = await api.drift(deployment, range(opts));
      emit(opts, result, () => driftHeatmap(result.windows, result.windowMs, opts.predictions ? 'predictions' : 'inputs'));
    });

  withCommon(monitor.command('performance'))
    .description('Performance per window from feedback (change against the reference in brackets), label coverage, CBPE estimates')
    .argument('<deployment>', 'deployment name')
    .option('--since <time>', 'start (default 24 windows ago)', (v) => parseTime(v))
    .option('--until <time>', 'end (default now)', (v) => parseTime(v))
    .action(async (deployment: string, opts: CommonOptions & RangeFlags) => {
      const api = monitoringFor(opts);
      const [{ monitor: m }, perf] = await Promise.all([api.get(deployment), api.performance(deployment, range(opts))]);
      emit(opts, perf, () => `${perf.reference ? `reference: ${metricsText(perf.reference.metrics)}\n` : ''}${performanceTable(perf.windows, perf.windowMs, m.task === 'regression')}`);
    });

  withCommon(monitor.command('rule'))
    .description('Add an alert rule, evaluated on a schedule over the most recent window')
    .argument('<deployment>', 'deployment name')
    .requiredOption('--metric <name>', MONITOR_ALERT_METRICS.join(', '))
    .requiredOption('--when <condition>', 'comparison and threshold, e.g. ">=0.5" or "<0.8"')
    .option('--column <name>', 'the column, for column_drift_score')
    .option('--window <duration>', 'window evaluated (default the monitor\'s)', parseDuration)
    .option('--cooldown <duration>', 'quiet time after firing (default the monitor\'s window)', parseDuration)
    .option('--severity <level>', 'info, warning (default) or critical')
    .action(async (deployment: string, opts: CommonOptions & { metric: string; when: string; column?: string; window?: number; cooldown?: number; severity?: string }) => {
      const m = /^\s*(>=|<=|>|<)\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)\s*$/i.exec(opts.when);
      if (!m) throw new CapstanError(ErrorCode.INVALID_PARAMETER_VALUE, `--when must be a comparison and a number such as ">=0.5" or "<0.8", got '${opts.when}'.`);
      const comparison = ({ '>': 'gt', '>=': 'gte', '<': 'lt', '<=': 'lte' } as const)[m[1] as '>' | '>=' | '<' | '<='];
      const rule = await monitoringFor(opts).addRule(deployment, {
        metric: opts.metric as never, comparison, threshold: Number(m[2]),
        ...(opts.column ? { column: opts.column } : {}), ...(opts.window ? { windowMs: opts.window } : {}), ...(opts.cooldown !== undefined ? { cooldownMs: opts.cooldown } : {}),
        ...(opts.severity ? { severity: opts.severity as 'info' } : {}),
      });
      emit(opts, { rule }, () => `Added rule '${rule.name}' (${rule.id}).`);
    });

  withCommon(monitor.command('evaluate'))
    .description('Evaluate a monitor\'s alert rules now')
    .argument('<deployment>', 'deployment name')
    .action(async (deployment: string, opts: CommonOptions) => {
      const alerts = await monitoringFor(opts).evaluate(deployment);
      emit(opts, { alerts }, () => (alerts.length ? alertsTable(alerts) : 'No rule fired.'));
    });

  withCommon(monitor.command('delete'))
    .description('Delete a monitor with its reference and rules (labels and alerts stay)')
    .argument('<deployment>', 'deployment name')
    .action(async (deployment: string, opts: CommonOptions) => {
      await monitoringFor(opts).delete(deployment);
      emit(opts, {}, () => `Deleted the monitor of '${deployment}'.`);
    });

  const feedback = program.command('feedback').description('Ground-truth labels for logged predictions');
  withCommon(feedback.command('send'))
    .description('Send labels from a file (CSV, Parquet, JSON, JSONL) with columns predictionId, label and optionally row; a batch with an unknown prediction id is refused whole')
    .argument('<file>', 'labels file')
    .option('--batch <n>', 'labels per request (default 10000)', positiveInt)
    .action(async (file: string, opts: CommonOptions & { batch?: number }) => {
      const table = await readTable(file);
      const ids = table.predictionId ?? table.prediction_id;
      const labels = table.label;
      if (!ids || !labels) throw new CapstanError(ErrorCode.INVALID_PARAMETER_VALUE, `${file} needs the columns predictionId (or prediction_id) and label; it has ${Object.keys(table).join(', ')}.`);
      const rows = table.row;
      const items: FeedbackItem[] = ids.map((id, i) => {
        if (id === null || labels[i] === null) throw new CapstanError(ErrorCode.INVALID_PARAMETER_VALUE, `${file}: row ${i + 1} has no ${id === null ? 'predictionId' : 'label'}.`);
        const row = rows?.[i];
        return { predictionId: String(id), label: labels[i]!, ...(typeof row === 'number' ? { row } : {}) };
      });
      if (items.length === 0) throw new CapstanError(ErrorCode.INVALID_PARAMETER_VALUE, `${file} has no labels.`);
      const api = monitoringFor(opts);
      const total = { created: 0, updated: 0 };
      const size = opts.batch ?? 10_000;
      for (let i = 0; i < items.length; i += size) {
        const r = await api.feedback(items.slice(i, i + size));
        total.created += r.created;
        total.updated += r.updated;
      }
      emit(opts, total, () => `Stored ${total.created} new label(s), replaced ${total.updated}.`);
    });

  const alerts = program.command('alerts').description('Alerts fired by monitor rules');
  withCommon(alerts.command('list'))
    .description('List alerts, newest first')
    .option('--deployment <name>', 'only this deployment')
    .option('--since <time>', 'only since (ISO date, ms, or a duration ago such as 24h)', (v) => parseTime(v))
    .option('--limit <n>', 'at most this many (default 100)', positiveInt)
    .action(async (opts: CommonOptions & { deployment?: string; since?: number; limit?: number }) => {
      const list = await monitoringFor(opts).alerts({ ...(opts.deployment ? { deployment: opts.deployment } : {}), ...(opts.since !== undefined ? { since: opts.since } : {}), ...(opts.limit ? { limit: opts.limit } : {}) });
      emit(opts, { alerts: list }, () => alertsTable(list));
    });

  const webhooks = program.command('webhooks').description('Webhooks for platform events (HMAC-SHA256 signed, retried)');
  withCommon(webhooks.command('add'))
    .description('Add a webhook; prints its secret once')
    .argument('<url>', 'http(s) URL that receives POSTs')
    .option('--event <type>', 'event type, e.g. drift.alert (repeatable; default all)', collect)
    .option('--secret <secret>', 'signing secret (default: generated)')
    .option('--description <text>', 'what it is for')
    .action(async (url: string, opts: CommonOptions & { event?: string[]; secret?: string; description?: string }) => {
      const hook = await monitoringFor(opts).addWebhook(url, { ...(opts.event ? { events: opts.event } : {}), ...(opts.secret ? { secret: opts.secret } : {}), ...(opts.description ? { description: opts.description } : {}) });
      emit(opts, { webhook: hook }, () => `Added webhook ${hook.id} for ${hook.events.join(', ')}.\nSecret (shown once): ${hook.secret}\nVerify: x-capstan-signature = "sha256=" + hex HMAC-SHA256(secret, x-capstan-timestamp + "." + body)`);
    });
  withCommon(webhooks.command('list'))
    .description('List webhooks (without secrets)')
    .action(async (opts: CommonOptions) => {
      const list = await monitoringFor(opts).webhooks();
      emit(opts, { webhooks: list }, () => webhooksTable(list));
    });
  withCommon(webhooks.command('remove'))
    .description('Remove a webhook (its delivery records stay)')
    .argument('<id>', 'webhook id')
    .action(async (id: string, opts: CommonOptions) => {
      await monitoringFor(opts).deleteWebhook(id);
      emit(opts, {}, () => `Removed webhook ${id}.`);
    });
  withCommon(webhooks.command('deliveries'))
    .description('Delivery attempts of a webhook, newest first')
    .argument('<id>', 'webhook id')
    .action(async (id: string, opts: CommonOptions) => {
      const list = await monitoringFor(opts).deliveries(id);
      emit(opts, { deliveries: list }, () => renderTable(list, [
        { header: 'time', value: (d) => formatTime(d.time) }, { header: 'event', value: (d) => d.eventType }, { header: 'attempt', value: (d) => String(d.attempt) },
        { header: 'status', value: (d) => (d.status === null ? '–' : String(d.status)) }, { header: 'ok', value: (d) => (d.ok ? 'yes' : 'no') }, { header: 'error', value: (d) => d.error ?? '' },
      ], 'No deliveries.'));
    });
}

function positiveIntOrZero(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected an integer ≥ 0.');
  return n;
}

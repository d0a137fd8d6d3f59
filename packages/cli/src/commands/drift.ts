import { stat, writeFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { invalidParameter } from '@capstan/api';
import type { Column, DriftOptions, DriftReport } from '@capstan/server/drift';
import { driftJson, driftSkipped, driftSummary, driftTable } from '../output/drift-report.js';
import { renderDriftHtml } from '../output/drift-html.js';
import { ProgressBar } from '../output/progress.js';
import { formatBytes } from '../output/format.js';

/** Exit status when the dataset drifted; 0 when it did not. */
export const EXIT_DRIFT = 1;
/** Exit status for a usage or input error (bad option, unreadable or incompatible files). */
export const EXIT_USAGE = 2;

/** Names `--stattest` accepts (the engine's registry; it rejects others with the same list). */
export const STATTEST_NAMES = 'ks, wasserstein, chisquare, z, jensenshannon, psi, kl_div, hellinger, anderson, cramer_von_mises, ed, es, t_test, mannw, g_test, fisher_exact, TVD';

const PROGRESS_MIN_BYTES = 16 * 1024 * 1024;

interface DriftCommandOptions {
  json?: boolean;
  columns?: string[];
  stattest?: string;
  threshold?: number;
  driftShare?: number;
  html?: string;
}

/** `capstan drift REFERENCE CURRENT`: data drift between two local files, without a server. */
export function driftCommand(program: Command): void {
  program.command('drift')
    .description('Compare a current dataset with a reference one, column by column, and report data drift (Evidently tests, computed locally)')
    .argument('<reference>', 'reference dataset: .csv, .tsv, .csv.gz, .parquet, .jsonl or .json')
    .argument('<current>', 'current dataset, with the same columns as the reference')
    .option('--json', 'print the report as one JSON object instead of a table')
    .option('--columns <names>', 'compare only these comma-separated columns (both files must have them)', columnList)
    .option('--stattest <name>', `one stattest for every column: ${STATTEST_NAMES} (default: chosen per column as Evidently does)`)
    .option('--threshold <x>', 'one drift threshold for every column (a p-value or a distance, as the test defines)', nonNegative)
    .option('--drift-share <x>', 'share of drifted columns at or above which the dataset drifts (default 0.5)', share)
    .option('--html <file>', 'also write a self-contained HTML report (summary, table, a chart per drifted column)')
    .addHelpText('after', `
Exit status:
  0  no dataset drift
  ${EXIT_DRIFT}  dataset drift detected
  ${EXIT_USAGE}  usage or input error (bad option, missing, empty or unreadable file, mismatched columns)`)
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : EXIT_USAGE))
    .action(async (referencePath: string, currentPath: string, opts: DriftCommandOptions) => {
      try {
        process.exitCode = (await drift(referencePath, currentPath, opts)).dataset_drift ? EXIT_DRIFT : 0;
      } catch (error) {
        const e = error as { code?: string; message?: string };
        process.stderr.write(`capstan: ${e.code ? `${e.code}: ` : ''}${e.message ?? String(error)}\n`);
        process.exitCode = EXIT_USAGE;
      }
    });
}

async function drift(referencePath: string, currentPath: string, opts: DriftCommandOptions): Promise<DriftReport> {
  const { DriftWorker, computeDriftParallel, readColumns } = await import('@capstan/server/drift');
  const worker = new DriftWorker();
  try {
    return await driftWith(referencePath, currentPath, opts, readColumns, (reference, current, options) => computeDriftParallel(reference, current, options, worker, { transfer: opts.html === undefined }));
  } finally {
    await worker.close();
  }
}

async function driftWith(
  referencePath: string, currentPath: string, opts: DriftCommandOptions,
  readColumns: typeof import('@capstan/server/drift').readColumns,
  computeDrift: (reference: Column[], current: Column[], options: DriftOptions) => Promise<DriftReport>,
): Promise<DriftReport> {
  const progress = await readProgress([referencePath, currentPath]);
  const abort = new AbortController();
  const read = (path: string, i: number) =>
    readColumns(path, {
      signal: abort.signal,
      ...(opts.columns ? { columns: opts.columns } : {}),
      ...(progress ? { onProgress: (f: number) => progress.update(i, f) } : {}),
    }).catch((e: unknown) => {
      abort.abort();
      throw e;
    });
  let reference: Column[];
  let current: Column[];
  try {
    [reference, current] = await Promise.all([read(referencePath, 0), read(currentPath, 1)]);
  } catch (e) {
    progress?.done(false);
    throw e;
  }
  progress?.done(true);
  [reference, current] = alignColumns(reference, current, referencePath, currentPath);

  const options: DriftOptions = {};
  if (opts.stattest !== undefined) options.stattest = opts.stattest;
  if (opts.threshold !== undefined) options.threshold = opts.threshold;
  if (opts.driftShare !== undefined) options.driftShare = opts.driftShare;
  const status = process.stderr.isTTY ? process.stderr : undefined;
  status?.write(`Computing drift over ${reference.length} column${reference.length === 1 ? '' : 's'}…`);
  let report: DriftReport;
  try {
    report = await computeDrift(reference, current, options);
  } finally {
    status?.write('\r\x1b[2K');
  }

  if (opts.html !== undefined) {
    const html = renderDriftHtml({ report, reference, current, referenceName: referencePath, currentName: currentPath });
    try {
      await writeFile(opts.html, html);
    } catch (e) {
      throw invalidParameter(`Cannot write the HTML report to '${opts.html}': ${(e as Error).message}`);
    }
    process.stderr.write(`Wrote the HTML report to ${opts.html}\n`);
  }
  const skipped = driftSkipped(report);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(driftJson(report), null, 2)}\n`);
    if (skipped) process.stderr.write(`${skipped}\n`);
  } else {
    process.stdout.write(`${driftTable(report)}\n\n${driftSummary(report)}\n${skipped ? `\n${skipped}\n` : ''}`);
  }
  return report;
}

/**
 * The two datasets' columns in the reference's order, after checking that both have the same
 * columns of compatible kinds (numbers vs text). `int` meeting `float` becomes `float`, `bool`
 * meeting `string` becomes `string`.
 * @throws CapstanError INVALID_PARAMETER_VALUE naming missing and extra columns, or columns that
 * are numeric in one file and text in the other.
 */
export function alignColumns(reference: Column[], current: Column[], referencePath: string, currentPath: string): [Column[], Column[]] {
  const byName = new Map(current.map((c) => [c.name, c]));
  const referenceNames = new Set(reference.map((c) => c.name));
  const missing = reference.filter((c) => !byName.has(c.name)).map((c) => c.name);
  const extra = current.filter((c) => !referenceNames.has(c.name)).map((c) => c.name);
  if (missing.length || extra.length) {
    const parts = [
      ...(missing.length ? [`missing from '${currentPath}': ${missing.join(', ')}`] : []),
      ...(extra.length ? [`not in '${referencePath}': ${extra.join(', ')}`] : []),
    ];
    throw invalidParameter(`The datasets must have the same columns (${parts.join('; ')}); choose common ones with --columns`);
  }
  const conflicts: string[] = [];
  const aligned = reference.map((ref): [Column, Column] => {
    const cur = byName.get(ref.name)!;
    if (isNumeric(ref) !== isNumeric(cur)) {
      conflicts.push(`'${ref.name}' is ${ref.dtype} in '${referencePath}' but ${cur.dtype} in '${currentPath}'`);
      return [ref, cur];
    }
    if (ref.dtype === cur.dtype) return [ref, cur];
    const dtype = isNumeric(ref) ? 'float' : 'string';
    return [{ ...ref, dtype } as Column, { ...cur, dtype } as Column];
  });
  if (conflicts.length) throw invalidParameter(`Columns must be numeric in both datasets or text in both: ${conflicts.join('; ')}`);
  return [aligned.map(([r]) => r), aligned.map(([, c]) => c)];
}

function isNumeric(column: Column): boolean {
  return column.dtype === 'float' || column.dtype === 'int';
}

interface ReadProgress {
  update(file: number, fraction: number): void;
  done(ok: boolean): void;
}

/** A progress bar over both files' bytes, on a terminal and for big inputs only. */
async function readProgress(paths: string[]): Promise<ReadProgress | undefined> {
  if (!process.stderr.isTTY) return undefined;
  const sizes = await Promise.all(paths.map((p) => stat(p).then((s) => s.size, () => 0)));
  const total = sizes.reduce((s, v) => s + v, 0);
  if (total < PROGRESS_MIN_BYTES) return undefined;
  const bar = new ProgressBar('Reading');
  const fractions = paths.map(() => 0);
  return {
    update(file, fraction) {
      fractions[file] = fraction;
      const bytes = Math.round(fractions.reduce((s, f, i) => s + f * sizes[i]!, 0));
      bar.update({ bytes, total, files: paths.length, filesDone: fractions.filter((f) => f >= 1).length, path: paths[file]! });
    },
    done(ok) {
      if (ok) bar.finish((elapsed) => `Read ${paths.length} files (${formatBytes(total)}) in ${elapsed}`);
      else bar.clear();
    },
  };
}

function columnList(value: string): string[] {
  const names = value.split(',').map((n) => n.trim()).filter((n) => n !== '');
  if (names.length === 0) throw new InvalidArgumentError('expected comma-separated column names.');
  return names;
}

function nonNegative(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a number at or above 0.');
  return n;
}

function share(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || n > 1) throw new InvalidArgumentError('expected a number above 0 and at most 1.');
  return n;
}

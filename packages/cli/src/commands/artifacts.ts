import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { WireFileInfo } from '@capstan/api';
import { downloadRunArtifacts, uploadRunArtifacts, type TransferResult } from '@capstan/client/node';
import { clientFor, emit, withCommon, type CommonOptions } from '../context.js';
import { formatBytes } from '../output/format.js';
import { ProgressBar } from '../output/progress.js';
import { renderTable } from '../output/table.js';

/** The `artifacts list` table. */
export function artifactsTable(files: readonly WireFileInfo[]): string {
  return renderTable(files, [
    { header: 'PATH', value: (f) => (f.is_dir ? `${f.path}/` : f.path) },
    { header: 'TYPE', value: (f) => (f.is_dir ? 'dir' : 'file') },
    { header: 'SIZE', value: (f) => (f.is_dir || f.file_size === undefined ? '' : formatBytes(f.file_size)), align: 'right' },
  ], 'No artifacts.');
}

function transferJson(result: TransferResult): { files: WireFileInfo[] } {
  return { files: result.files.map((f) => ({ path: f.path, is_dir: false, file_size: f.size })) };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

async function withProgress<T>(verb: string, work: (bar: ProgressBar) => Promise<T>, summary: (result: T, elapsed: string, rate: string) => string): Promise<T> {
  const bar = new ProgressBar(verb);
  try {
    const result = await work(bar);
    bar.finish((elapsed, rate) => summary(result, elapsed, rate));
    return result;
  } finally {
    bar.clear();
  }
}

/** `capstan artifacts …`: list, upload and download a run's artifacts, streaming files. */
export function artifactsCommand(program: Command): void {
  const artifacts = program.command('artifacts').description("Work with a run's artifacts: list, upload, download");

  withCommon(artifacts.command('list'))
    .description("List the immediate children of a directory of a run's artifacts")
    .argument('<run-id>', 'run id')
    .argument('[path]', 'directory relative to the run artifact root (default: the root)')
    .action(async (runId: string, path: string | undefined, opts: CommonOptions) => {
      const client = clientFor(opts);
      const files: WireFileInfo[] = [];
      let page = await client.runs.listArtifacts(runId, path);
      files.push(...page.files);
      while (page.next_page_token) {
        page = await client.runs.listArtifacts(runId, path, page.next_page_token);
        files.push(...page.files);
      }
      emit(opts, { root_uri: page.root_uri, files }, () => artifactsTable(files));
    });

  withCommon(artifacts.command('upload'))
    .description(
      "Upload a file or a directory (recursively) to a run's artifacts, streaming each file. A file lands at " +
      '<artifact-path>/<file name>; a directory\'s contents land under <artifact-path>. Shows progress on a terminal.',
    )
    .argument('<run-id>', 'run id')
    .argument('<local-path>', 'file or directory to upload')
    .option('--artifact-path <path>', 'destination directory relative to the run artifact root (default: the root)')
    .action(async (runId: string, localPath: string, opts: CommonOptions & { artifactPath?: string }) => {
      const client = clientFor(opts);
      const result = await withProgress('Uploading', (bar) => uploadRunArtifacts(client, runId, localPath, opts.artifactPath, { onProgress: bar.update }),
        (r, elapsed, rate) => `Uploaded ${plural(r.files.length, 'file')} (${formatBytes(r.bytes)}) to run ${runId}${opts.artifactPath ? ` at ${opts.artifactPath}` : ''} in ${elapsed} (${rate})`);
      emit(opts, transferJson(result), () => artifactsTable(result.files.map((f) => ({ path: f.path, is_dir: false, file_size: f.size }))));
    });

  withCommon(artifacts.command('download'))
    .description(
      "Download a run's artifacts (all, or the file or directory at PATH) into --dest, keeping their paths " +
      'relative to the run artifact root, streaming each file. Shows progress on a terminal.',
    )
    .argument('<run-id>', 'run id')
    .argument('[path]', 'file or directory relative to the run artifact root (default: everything)')
    .option('--dest <dir>', 'local directory to download into', '.')
    .action(async (runId: string, path: string | undefined, opts: CommonOptions & { dest: string }) => {
      const client = clientFor(opts);
      const dest = resolve(opts.dest);
      const result = await withProgress('Downloading', (bar) => downloadRunArtifacts(client, runId, path, dest, { onProgress: bar.update }),
        (r, elapsed, rate) => `Downloaded ${plural(r.files.length, 'file')} (${formatBytes(r.bytes)}) from run ${runId} to ${dest} in ${elapsed} (${rate})`);
      emit(opts, transferJson(result), () => artifactsTable(result.files.map((f) => ({ path: f.path, is_dir: false, file_size: f.size }))));
    });
}

import type { TransferProgress } from '@capstan/client/node';
import { formatBytes, formatDuration } from './format.js';

const REDRAW_MS = 100;
const BAR = 16;

/** Where progress goes: stderr, or a stand-in in tests. */
export interface ProgressStream {
  /** Whether to draw a bar. */
  isTTY?: boolean;
  /** Terminal width (80 when unknown). */
  columns?: number;
  /** Writes text as is. */
  write(text: string): unknown;
}

/**
 * Transfer progress on stderr: a redrawn bar (bytes done/total, rate, files) when the stream is
 * a terminal, nothing until the one summary line otherwise.
 */
export class ProgressBar {
  private readonly started = performance.now();
  private lastDraw = 0;
  private drawn = false;
  private latest: TransferProgress | undefined;

  constructor(private readonly verb: string, private readonly stream: ProgressStream = process.stderr) {}

  /** Records progress; redraws at most every 100 ms on a terminal. */
  readonly update = (progress: TransferProgress): void => {
    this.latest = progress;
    if (!this.stream.isTTY) return;
    const now = performance.now();
    if (now - this.lastDraw < REDRAW_MS && progress.filesDone < progress.files) return;
    this.lastDraw = now;
    this.draw(progress, now);
  };

  /** Clears the bar and prints the summary line. */
  finish(summary: (elapsed: string, rate: string) => string): void {
    this.clear();
    const elapsedMs = performance.now() - this.started;
    const bytes = this.latest?.bytes ?? 0;
    this.stream.write(`${summary(formatDuration(elapsedMs), rate(bytes, elapsedMs))}\n`);
  }

  /** Clears the bar (after a failure). */
  clear(): void {
    if (this.drawn) this.stream.write('\r\x1b[2K');
    this.drawn = false;
  }

  private draw(p: TransferProgress, now: number): void {
    const total = p.total;
    const fraction = total ? Math.min(1, p.bytes / total) : p.files ? p.filesDone / p.files : 0;
    const filled = Math.round(fraction * BAR);
    const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR - filled)}]`;
    const amount = total === undefined ? formatBytes(p.bytes) : `${formatBytes(p.bytes)}/${formatBytes(total)}`;
    const files = p.files > 1 ? ` ${p.filesDone}/${p.files} files` : '';
    let line = `${this.verb} ${bar} ${Math.floor(fraction * 100)}% ${amount} ${rate(p.bytes, now - this.started)}${files}`;
    const width = (this.stream.columns ?? 80) - 1;
    if (line.length > width) line = line.slice(0, width);
    this.stream.write(`\r\x1b[2K${line}`);
    this.drawn = true;
  }
}

function rate(bytes: number, ms: number): string {
  return ms > 0 ? `${formatBytes(Math.round((bytes * 1000) / ms))}/s` : '';
}

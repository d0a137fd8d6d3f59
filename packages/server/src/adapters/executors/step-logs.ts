import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { ArtifactStore } from '../../ports/artifact-store.js';
import type { StepLogLine, StepLogPage, StepLogs } from '../../ports/executor.js';

/** How much of a step attempt's output is kept, and how often it is written. */
export interface StepLogLimits {
  /** Bytes of lines kept from the start (default 4 MiB). */
  headBytes: number;
  /** Bytes of lines kept from the end once the head is full (default 1 MiB). */
  tailBytes: number;
  /** Longest line kept; longer lines are cut (default 16 KiB). */
  lineBytes: number;
  /** A part is written at least this often while output arrives (default 1000 ms). */
  flushMs: number;
  /** ... or as soon as this many bytes are pending (default 256 KiB). */
  partBytes: number;
}

/** Defaults of {@link StepLogLimits}. */
export const STEP_LOG_LIMITS: StepLogLimits = { headBytes: 4 << 20, tailBytes: 1 << 20, lineBytes: 16 << 10, flushMs: 1000, partBytes: 256 << 10 };

/**
 * Where an attempt's log parts live in the artifact store: `pipeline-logs/<run>/<node>/<attempt>/`,
 * each part named by the index of its first line (zero-padded, so names sort by position).
 */
export function stepLogPrefix(runId: string, node: string, attempt: number): string {
  return `pipeline-logs/${runId}/${node.replace(/[[\]/\\]/g, '_')}/${attempt}`;
}

function partName(firstLine: number): string {
  return `${String(firstLine).padStart(12, '0')}.jsonl`;
}

/**
 * Collects a child process's stdout and stderr as timestamped lines and writes them to the
 * artifact store in parts (every `flushMs`, or `partBytes`), so readers can tail a running step
 * from any machine. Memory is bounded: past `headBytes` only the last `tailBytes` are held, and
 * they are written with a line saying how much was cut when the writer closes.
 */
export class StepLogWriter {
  private pending: StepLogLine[] = [];
  private pendingBytes = 0;
  private written = 0;
  private keptBytes = 0;
  private tail: StepLogLine[] = [];
  private tailBytes = 0;
  private cut = { lines: 0, bytes: 0 };
  private partial: Record<'out' | 'err', string> = { out: '', err: '' };
  private readonly decoders = { out: new StringDecoder('utf8'), err: new StringDecoder('utf8') };
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private failed: unknown;

  constructor(private readonly store: ArtifactStore, private readonly prefix: string, private readonly limits: StepLogLimits = STEP_LOG_LIMITS, private readonly now: () => number = Date.now) {}

  /** Takes a chunk of one stream; complete lines are queued, the rest waits for its newline. */
  write(stream: 'out' | 'err', chunk: Buffer | string): void {
    const text = this.partial[stream] + (typeof chunk === 'string' ? chunk : this.decoders[stream].write(chunk));
    const lines = text.split('\n');
    this.partial[stream] = lines.pop()!;
    if (this.partial[stream].length > this.limits.lineBytes) {
      lines.push(this.partial[stream]);
      this.partial[stream] = '';
    }
    for (const line of lines) this.add({ t: this.now(), s: stream, l: line.endsWith('\r') ? line.slice(0, -1) : line });
  }

  /** Writes what is left (unfinished lines, the kept tail and the cut marker); resolves when stored. */
  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const s of ['out', 'err'] as const) if (this.partial[s]) this.add({ t: this.now(), s, l: this.partial[s] });
    if (this.cut.lines > 0) {
      this.pending.push({ t: this.now(), s: 'sys', l: `… ${this.cut.lines} line(s), ${this.cut.bytes} bytes cut (the first ${this.limits.headBytes} and the last ${this.limits.tailBytes} bytes are kept) …` }, ...this.tail);
      this.tail = [];
    }
    this.flush();
    await this.writing;
    if (this.failed) throw this.failed;
  }

  private add(line: StepLogLine): void {
    if (line.l.length > this.limits.lineBytes) line.l = `${line.l.slice(0, this.limits.lineBytes)}… (line cut at ${this.limits.lineBytes} characters)`;
    const size = line.l.length + 32;
    if (this.keptBytes + size <= this.limits.headBytes) {
      this.keptBytes += size;
      this.pending.push(line);
      this.pendingBytes += size;
      if (this.pendingBytes >= this.limits.partBytes) this.flush();
      else this.timer ??= setTimeout(() => { this.timer = undefined; this.flush(); }, this.limits.flushMs);
      return;
    }
    this.tail.push(line);
    this.tailBytes += size;
    while (this.tailBytes > this.limits.tailBytes && this.tail.length > 0) {
      const dropped = this.tail.shift()!;
      const bytes = dropped.l.length + 32;
      this.tailBytes -= bytes;
      this.cut.lines++;
      this.cut.bytes += dropped.l.length;
    }
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const lines = this.pending;
    const first = this.written;
    this.written += lines.length;
    this.pending = [];
    this.pendingBytes = 0;
    const body = lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
    this.writing = this.writing.then(() => this.store.put(`${this.prefix}/${partName(first)}`, Readable.from([Buffer.from(body)]))).catch((error: unknown) => {
      this.failed ??= error;
    });
  }
}

/** {@link StepLogs} over the artifact store the step runners write to. */
export class ArtifactStepLogs implements StepLogs {
  constructor(private readonly store: ArtifactStore) {}

  async read(runId: string, node: string, attempt: number, offset: number, limit: number): Promise<StepLogPage> {
    const prefix = stepLogPrefix(runId, node, attempt);
    const parts = (await this.store.list(prefix))
      .filter((e) => !e.isDir && /^\d{12}\.jsonl$/.test(e.path.split('/').pop()!))
      .map((e) => ({ path: `${prefix}/${e.path.split('/').pop()!}`, first: Number(e.path.split('/').pop()!.slice(0, 12)) }))
      .sort((a, b) => a.first - b.first);
    const lines: StepLogLine[] = [];
    for (let i = 0; i < parts.length && lines.length < limit; i++) {
      const next = parts[i + 1]?.first;
      if (next !== undefined && next <= offset) continue;
      const obj = await this.store.get(parts[i]!.path);
      const chunks: Buffer[] = [];
      for await (const c of obj.stream) chunks.push(c as Buffer);
      const partLines = Buffer.concat(chunks).toString('utf8').split('\n').filter(Boolean);
      partLines.forEach((text, j) => {
        const index = parts[i]!.first + j;
        if (index >= offset && lines.length < limit) lines.push(JSON.parse(text) as StepLogLine);
      });
    }
    return { lines, next: offset + lines.length, stored: parts.length > 0 };
  }
}

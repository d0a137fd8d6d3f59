import type { PredictionRecord } from './model.js';

/** Counters of the payload log, for `/metrics`. */
export interface PayloadLogCounters {
  written: number;
  dropped: number;
  failedWrites: number;
  buffered: number;
}

/**
 * Writes predictions asynchronously: `log` only appends to a bounded buffer (never waits, never
 * throws); a background flush writes batches to the store. When the buffer is full, new
 * records are dropped and counted, so overload slows nothing down and loses only log entries.
 * Batches are small (100 rows) and the flush yields to the event loop between them, so a
 * synchronous store (better-sqlite3 on the HTTP thread) holds requests up for one short batch
 * at a time, not for a whole backlog.
 */
export class PayloadLogger {
  private buffer: PredictionRecord[] = [];
  private flushing: Promise<void> | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  readonly counters: PayloadLogCounters = { written: 0, dropped: 0, failedWrites: 0, buffered: 0 };

  constructor(
    private readonly write: (records: PredictionRecord[]) => Promise<void>,
    private readonly options: { capacity: number; batchSize: number; intervalMs: number } = { capacity: 20_000, batchSize: 100, intervalMs: 200 },
    private readonly reportError: (error: unknown) => void = (error) => console.error('[capstan] payload log write failed:', error),
  ) {}

  /** Starts the periodic flush. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.flush(), this.options.intervalMs);
    (this.timer as { unref?: () => void }).unref?.();
  }

  /** Queues one record; drops it (and counts) when the buffer is full. */
  log(record: PredictionRecord): void {
    if (this.buffer.length >= this.options.capacity) {
      this.counters.dropped++;
      return;
    }
    this.buffer.push(record);
    this.counters.buffered = this.buffer.length;
    if (this.buffer.length >= this.options.batchSize && !this.flushing) void this.flush();
  }

  /** Writes everything buffered so far; resolves when written (or counted as failed). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.buffer.length === 0) return;
    const run = async () => {
      while (this.buffer.length > 0) {
        const batch = this.buffer.splice(0, this.options.batchSize);
        this.counters.buffered = this.buffer.length;
        try {
          await this.write(batch);
          this.counters.written += batch.length;
        } catch (error) {
          this.counters.failedWrites += batch.length;
          this.reportError(error);
        }
        if (this.buffer.length > 0) await new Promise((resolve) => setImmediate(resolve));
      }
    };
    this.flushing = run().finally(() => (this.flushing = null));
    await this.flushing;
  }

  /** Stops the timer and writes what is left. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }
}

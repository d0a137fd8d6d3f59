/** Where the demo writes: a terminal (bars redraw in place) or a log (one line per stage). */
export interface DemoOutput {
  isTTY?: boolean;
  write(text: string): unknown;
}

/**
 * Stage lines and count-based progress bars for the demo: `▸ stage`, then `[#####-----] 40/100
 * days · detail`, redrawn in place on a terminal and printed every 10% otherwise.
 */
export class DemoConsole {
  private barShown = false;
  private lastTenth = -1;
  readonly started = performance.now();

  constructor(private readonly out: DemoOutput = process.stdout) {}

  /** A new stage. */
  stage(title: string): void {
    this.endBar();
    this.out.write(`\n▸ ${title}\n`);
  }

  /** A line inside a stage. */
  info(text: string): void {
    this.endBar();
    this.out.write(`  ${text}\n`);
  }

  /** Draws progress `done/total unit`, with a short detail. */
  progress(done: number, total: number, unit: string, detail = ''): void {
    const fraction = total ? Math.min(1, done / total) : 0;
    const filled = Math.round(fraction * 30);
    const line = `  [${'#'.repeat(filled)}${'-'.repeat(30 - filled)}] ${done}/${total} ${unit}${detail ? ` · ${detail}` : ''}`;
    if (this.out.isTTY) {
      this.out.write(`\r\x1b[2K${line.slice(0, 160)}`);
      this.barShown = true;
      return;
    }
    const tenth = Math.floor(fraction * 10);
    if (tenth !== this.lastTenth) {
      this.lastTenth = tenth;
      this.out.write(`${line}\n`);
    }
  }

  /** Ends a bar line on a terminal. */
  endBar(): void {
    if (this.barShown) this.out.write('\n');
    this.barShown = false;
    this.lastTenth = -1;
  }

  /** Seconds since the demo started. */
  elapsed(): string {
    return `${((performance.now() - this.started) / 1000).toFixed(1)} s`;
  }
}

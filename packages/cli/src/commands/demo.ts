import type { Command } from 'commander';
import { positiveInt } from '../context.js';
import { runDemo } from '../demo/lifecycle.js';

/** `capstan demo`: the whole lifecycle on real data, in a few minutes, with a summary. */
export function demoCommand(program: Command): void {
  program.command('demo')
    .description('Run the seed lifecycle on Seattle weather 2012-2015: data → validation → tuned training → gate → register → deploy → live traffic with late labels → drift and performance alerts → automatic retraining → canary → promotion or rollback')
    .option('--dir <path>', 'folder for the demo database and artifacts (recreated)', './capstan-demo')
    .option('--port <n>', 'port of the demo server (default: any free port)', positiveInt)
    .option('--quick', 'a shorter run (one replayed year, fewer trials): what CI runs')
    .option('--json', 'print the summary as JSON at the end')
    .action(async (options: { dir: string; port?: number; quick?: boolean; json?: boolean }) => {
      const summary = await runDemo({ dir: options.dir, port: options.port ?? 0, quick: Boolean(options.quick), ...(options.json ? { out: process.stderr } : {}) });
      if (options.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    });
}

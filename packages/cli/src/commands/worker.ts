import type { Command } from 'commander';
import { positiveInt } from '../context.js';

/** `capstan worker`: runs pipeline steps from the BullMQ queue on Redis. */
export function workerCommand(program: Command): void {
  program
    .command('worker')
    .description('Run pipeline steps from a Redis queue (start the server with CAPSTAN_PIPELINE_EXECUTOR=redis://...)')
    .option('--redis <url>', 'Redis of the step queue', process.env.CAPSTAN_PIPELINE_EXECUTOR?.startsWith('redis') ? process.env.CAPSTAN_PIPELINE_EXECUTOR : 'redis://127.0.0.1:6379')
    .option('--artifacts-destination <uri>', "the server's artifact store: a shared directory or s3://bucket/prefix", process.env.MLFLOW_ARTIFACTS_DESTINATION ?? './capstan-data/artifacts')
    .option('-c, --concurrency <n>', 'steps run at once', positiveInt, 1)
    .option('--queue <name>', 'queue name', 'capstan-steps')
    .option('--lock-duration <ms>', "how long a step's lock lives without renewal (a dead worker's step is re-run after about this long)", positiveInt, 30_000)
    .option('--stalled-interval <ms>', 'how often stalled steps are looked for', positiveInt, 30_000)
    .action(async (opts: { redis: string; artifactsDestination: string; concurrency: number; queue: string; lockDuration: number; stalledInterval: number }) => {
      const { startPipelineWorker } = await import('@capstan/server');
      const worker = await startPipelineWorker({
        redisUrl: opts.redis, artifactsDestination: opts.artifactsDestination, concurrency: opts.concurrency, queue: opts.queue,
        lockDurationMs: opts.lockDuration, stalledIntervalMs: opts.stalledInterval,
        onEvent: (e) => process.stdout.write(`${new Date().toISOString()} ${e.type} ${e.key}${e.error ? `: ${e.error}` : ''}\n`),
      });
      process.stdout.write(`Capstan worker ${worker.id} on ${opts.redis} queue ${opts.queue} (concurrency ${opts.concurrency})\n`);
      const stop = (signal: string) => {
        process.stdout.write(`Received ${signal}, finishing current steps\n`);
        worker.close().then(() => process.exit(0), () => process.exit(1));
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
}

import { hostname } from 'node:os';
import { Queue, QueueEvents, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { ArtifactStore } from '../../ports/artifact-store.js';
import type { Executor, StepResult, StepTask } from '../../ports/executor.js';
import { runStepTask } from './step-runner.js';

/** The queue steps go through unless configured otherwise. */
export const DEFAULT_STEP_QUEUE = 'capstan-steps';

const cancelKey = (queue: string, jobId: string) => `capstan:${queue}:cancel:${jobId}`;

/** BullMQ job ids may not contain ':'; the task key does. */
export function jobIdOf(task: Pick<StepTask, 'key'>): string {
  return task.key.replace(/[:]/g, '__');
}

function connect(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false });
}

/**
 * Steps as BullMQ jobs on Redis, run by `capstan worker` processes anywhere that reach the same
 * Redis and artifact store. The job id is the attempt key, so enqueueing twice runs once; a
 * worker that dies mid-step loses its lock and another worker re-runs the job (stalled-job
 * recovery). Results come back through queue events; the scheduler registers them once.
 */
export class BullMqExecutor implements Executor {
  readonly capabilities = { name: 'bullmq', distributed: true };
  private readonly queue: Queue;
  private readonly events: QueueEvents;
  private readonly redis: Redis;
  readonly queueName: string;

  constructor(options: { redisUrl: string; queue?: string }) {
    this.queueName = options.queue ?? DEFAULT_STEP_QUEUE;
    this.redis = connect(options.redisUrl);
    this.queue = new Queue(this.queueName, { connection: connect(options.redisUrl) });
    this.events = new QueueEvents(this.queueName, { connection: connect(options.redisUrl) });
    this.queue.setMaxListeners(0);
    this.events.setMaxListeners(0);
  }

  async run(task: StepTask, signal: AbortSignal): Promise<StepResult> {
    await this.events.waitUntilReady();
    const jobId = jobIdOf(task);
    const job = await this.queue.add('step', task, { jobId, removeOnComplete: { age: 86_400 }, removeOnFail: { age: 86_400 }, attempts: 1 });
    const onAbort = () => {
      void this.redis.set(cancelKey(this.queueName, jobId), '1', 'EX', 3600).catch(() => undefined);
      void job.remove().catch(() => undefined);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const aborted = new Promise<never>((_, reject) => {
        if (signal.aborted) reject(signal.reason);
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
      return (await Promise.race([job.waitUntilFinished(this.events), aborted])) as StepResult;
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw new Error(String((error as Error).message ?? error));
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.events.close(), this.queue.close()]);
    this.redis.disconnect();
  }
}

/** Options of {@link startStepWorker}. */
export interface StepWorkerOptions {
  redisUrl: string;
  artifacts: ArtifactStore;
  queue?: string;
  concurrency?: number;
  /** How long a job stays locked without renewal; a dead worker's job is re-run after about this long. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  workRoot?: string;
  /** Called when a job starts and ends (for logs). */
  onEvent?: (event: { type: 'start' | 'done' | 'failed'; key: string; error?: string }) => void;
}

/** A running worker; `close` waits for its current jobs. */
export interface StepWorker {
  close(): Promise<void>;
  readonly id: string;
}

/** Starts a worker that runs steps from the queue with {@link runStepTask}. */
export async function startStepWorker(options: StepWorkerOptions): Promise<StepWorker> {
  const queueName = options.queue ?? DEFAULT_STEP_QUEUE;
  const redis = connect(options.redisUrl);
  const worker = new Worker(queueName, async (job: Job<StepTask>) => {
    const controller = new AbortController();
    const key = cancelKey(queueName, job.id ?? '');
    const poll = setInterval(() => {
      redis.get(key).then((v) => {
        if (v) controller.abort(new Error('canceled'));
      }, () => undefined);
    }, 300);
    options.onEvent?.({ type: 'start', key: job.data.key });
    try {
      const result = await runStepTask(job.data, controller.signal, { artifacts: options.artifacts, ...(options.workRoot ? { workRoot: options.workRoot } : {}) });
      options.onEvent?.({ type: 'done', key: job.data.key });
      return result;
    } catch (error) {
      options.onEvent?.({ type: 'failed', key: job.data.key, error: (error as Error).message });
      throw error;
    } finally {
      clearInterval(poll);
    }
  }, {
    connection: connect(options.redisUrl),
    concurrency: options.concurrency ?? 1,
    lockDuration: options.lockDurationMs ?? 30_000,
    stalledInterval: options.stalledIntervalMs ?? 30_000,
    maxStalledCount: 10,
  });
  await worker.waitUntilReady();
  return {
    id: `${hostname()}:${process.pid}`,
    async close() {
      await worker.close();
      redis.disconnect();
    },
  };
}

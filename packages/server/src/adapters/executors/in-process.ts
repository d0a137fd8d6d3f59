import type { ArtifactStore } from '../../ports/artifact-store.js';
import type { Executor, StepResult, StepTask } from '../../ports/executor.js';
import { runStepTask } from './step-runner.js';

/**
 * The default executor: every step in a child process of this server (commands, and function
 * steps in a fresh Node process), at most `concurrency` at once.
 */
export class InProcessExecutor implements Executor {
  readonly capabilities = { name: 'in-process', distributed: false };
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly inFlight = new Map<string, Promise<StepResult>>();

  constructor(private readonly options: { artifacts: ArtifactStore; concurrency?: number; workRoot?: string }) {}

  /** Runs a step; the same attempt key submitted again while it runs shares the one execution. */
  run(task: StepTask, signal: AbortSignal): Promise<StepResult> {
    const existing = this.inFlight.get(task.key);
    if (existing) return existing;
    const promise = this.runOnce(task, signal).finally(() => this.inFlight.delete(task.key));
    this.inFlight.set(task.key, promise);
    return promise;
  }

  private async runOnce(task: StepTask, signal: AbortSignal): Promise<StepResult> {
    const limit = this.options.concurrency ?? 16;
    if (this.running >= limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await runStepTask(task, signal, { artifacts: this.options.artifacts, ...(this.options.workRoot ? { workRoot: this.options.workRoot } : {}) });
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }

  async close(): Promise<void> {}
}

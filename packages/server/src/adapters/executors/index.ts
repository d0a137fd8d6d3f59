import { invalidParameter } from '@capstan/api';
import type { ArtifactStore } from '../../ports/artifact-store.js';
import type { Executor } from '../../ports/executor.js';
import { InProcessExecutor } from './in-process.js';

/**
 * The executor a URI names: `in-process` (default) or `redis://host:port[/db]` (BullMQ; steps run
 * in `capstan worker` processes sharing the artifact store). BullMQ is loaded only when named.
 * @throws INVALID_PARAMETER_VALUE for anything else
 */
export async function openExecutor(uri: string, artifacts: ArtifactStore): Promise<Executor> {
  if (uri === 'in-process' || uri === '') return new InProcessExecutor({ artifacts });
  if (/^rediss?:\/\//.test(uri)) {
    const { BullMqExecutor } = await import('./bullmq.js');
    return new BullMqExecutor({ redisUrl: uri });
  }
  throw invalidParameter(`Unsupported pipeline executor '${uri}': use in-process or redis://host:port`);
}

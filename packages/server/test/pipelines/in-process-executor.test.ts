import { InProcessExecutor } from '../../src/adapters/executors/in-process.js';
import { describeExecutorContract } from '../contract/executor.js';

describeExecutorContract('in-process', async (artifacts) => new InProcessExecutor({ artifacts }));

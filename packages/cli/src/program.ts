import { Command } from 'commander';
import { serverCommand } from './commands/server.js';
import { experimentsCommand } from './commands/experiments.js';
import { runsCommand } from './commands/runs.js';
import { modelsCommand } from './commands/models.js';
import { artifactsCommand } from './commands/artifacts.js';
import { driftCommand } from './commands/drift.js';
import { pipelineCommand } from './commands/pipeline.js';
import { workerCommand } from './commands/worker.js';
import { deployCommand } from './commands/deploy.js';
import { dataCommand } from './commands/data.js';

/** The `capstan` command tree. */
export function buildProgram(): Command {
  const program = new Command('capstan')
    .description('Capstan: a self-hosted MLOps platform that speaks the MLflow API')
    .version('0.1.0')
    .showHelpAfterError();
  serverCommand(program);
  experimentsCommand(program);
  runsCommand(program);
  modelsCommand(program);
  artifactsCommand(program);
  driftCommand(program);
  pipelineCommand(program);
  workerCommand(program);
  deployCommand(program);
  dataCommand(program);
  return program;
}

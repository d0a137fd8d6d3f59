import { Command } from 'commander';
import { demoCommand } from './commands/demo.js';
import { serverCommand } from './commands/server.js';
import { experimentsCommand } from './commands/experiments.js';
import { runsCommand } from './commands/runs.js';
import { modelsCommand } from './commands/models.js';
import { artifactsCommand } from './commands/artifacts.js';
import { driftCommand } from './commands/drift.js';
import { dataCommand } from './commands/data.js';
import { pipelineCommand } from './commands/pipeline.js';
import { workerCommand } from './commands/worker.js';
import { deployCommand } from './commands/deploy.js';
import { monitorCommand } from './commands/monitor.js';

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
  dataCommand(program);
  pipelineCommand(program);
  workerCommand(program);
  deployCommand(program);
  monitorCommand(program);
  demoCommand(program);
  return program;
}

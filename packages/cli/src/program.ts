import { Command } from 'commander';
import { serverCommand } from './commands/server.js';

/** The `capstan` command tree. */
export function buildProgram(): Command {
  const program = new Command('capstan')
    .description('Capstan: a self-hosted MLOps platform that speaks the MLflow API')
    .version('0.1.0')
    .showHelpAfterError();
  serverCommand(program);
  return program;
}

import type { Command } from 'commander';

/** `capstan server`: starts the tracking server, registry and artifact proxy. */
export function serverCommand(program: Command): void {
  program
    .command('server')
    .description('Start the Capstan server (MLflow-compatible tracking, registry and artifact proxy)')
    .option('-h, --host <host>', 'network address to listen on', process.env.MLFLOW_HOST ?? '127.0.0.1')
    .option('-p, --port <port>', 'port to listen on', process.env.MLFLOW_PORT ?? '5000')
    .option('--backend-store-uri <uri>', 'metadata store: sqlite:///path.db or postgresql://user@host:port/db', process.env.MLFLOW_BACKEND_STORE_URI ?? 'sqlite:///./capstan-data/capstan.db')
    .option('--artifacts-destination <uri>', 'where proxied artifacts are stored: a directory or s3://bucket/prefix', process.env.MLFLOW_ARTIFACTS_DESTINATION ?? './capstan-data/artifacts')
    .option('--default-artifact-root <uri>', 'artifact root for new experiments', process.env.MLFLOW_DEFAULT_ARTIFACT_ROOT ?? 'mlflow-artifacts:/')
    .option('--log-requests', 'log every request to stdout', false)
    .action(async (opts: { host: string; port: string; backendStoreUri: string; artifactsDestination: string; defaultArtifactRoot: string; logRequests: boolean }) => {
      const started = performance.now();
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid --port '${opts.port}': use a number from 0 to 65535`);
      const { startCapstan } = await import('@capstan/server');
      const capstan = await startCapstan({
        host: opts.host,
        port,
        backendStoreUri: opts.backendStoreUri,
        artifactsDestination: opts.artifactsDestination,
        defaultArtifactRoot: opts.defaultArtifactRoot,
        logger: opts.logRequests,
      });
      process.stdout.write(`Capstan listening on ${capstan.url} (metadata ${opts.backendStoreUri}, artifacts ${opts.artifactsDestination}; ready in ${Math.round(performance.now() - started)} ms)\n`);
      const stop = (signal: string) => {
        process.stdout.write(`Received ${signal}, shutting down\n`);
        capstan.close().then(() => process.exit(0), () => process.exit(1));
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
}

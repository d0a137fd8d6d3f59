import type { FastifyInstance } from 'fastify';
import { openArtifactStore } from './adapters/artifacts/index.js';
import { openSqlDatabase } from './adapters/sql/index.js';
import { openModelFiles } from './adapters/artifacts/model-files.js';
import { OnnxRuntime } from './adapters/runtime/onnx.js';
import { SqlDeploymentStore } from './adapters/sql/serving/store.js';
import { ServingService } from './core/serving/service.js';
import { EventBus } from './core/events/bus.js';
import { ArtifactService } from './core/artifacts/service.js';
import { RegistryService } from './core/registry/service.js';
import { TrackingService } from './core/tracking/service.js';
import { buildHttpServer } from './http/server.js';
import { DataService } from './core/data/service.js';
import { SqlDatasetStore } from './adapters/sql/data/store.js';
import { CachedBlobFiles, blobCacheDir, lazyColumnarEngine } from './adapters/columnar/blob-files.js';
import { PipelineService } from './core/pipelines/service.js';
import { SqlPipelineStore } from './adapters/sql/pipelines/store.js';
import { openExecutor } from './adapters/executors/index.js';
import { ArtifactStepLogs } from './adapters/executors/step-logs.js';
import { MonitoringService } from './core/monitoring/deployments/service.js';
import { SqlMonitoringStore } from './adapters/sql/monitoring/store.js';
import { fetchWebhookSender } from './adapters/webhooks/fetch-sender.js';

/** Configuration of one Capstan server, with `mlflow server`'s flag names. */
export interface CapstanConfig {
  /** `sqlite:///path.db` or `postgresql://...`. */
  backendStoreUri: string;
  /** Where proxied artifacts are stored: a directory or `s3://bucket/prefix`. */
  artifactsDestination: string;
  /** Artifact root handed to clients for new experiments (`mlflow-artifacts:/` to proxy). */
  defaultArtifactRoot?: string;
  /** Request logging to stdout. */
  logger?: boolean;
  /** Where pipeline steps run: `in-process` (default) or `redis://host:port` (BullMQ, `capstan worker`). */
  pipelineExecutor?: string;
  /** Pipeline coordinator timers (ms): heartbeat, and silence after which another server resumes a run. */
  pipelines?: { heartbeatMs?: number; staleAfterMs?: number };
  /** Serving timers (ms): replica sync and canary judging; 0 disables (tests drive them). */
  serving?: { syncIntervalMs?: number; canaryIntervalMs?: number };
  /** Monitoring timers: alert evaluation period (ms, 0 disables; tests call it), webhook retries. */
  monitoring?: { evaluateIntervalMs?: number; webhookAttempts?: number; webhookBackoffMs?: number };
}

/** Defaults used by `capstan server` and `npm start`. */
export const DEFAULT_CONFIG: CapstanConfig = {
  backendStoreUri: 'sqlite:///./capstan-data/capstan.db',
  artifactsDestination: './capstan-data/artifacts',
  defaultArtifactRoot: 'mlflow-artifacts:/',
};

/** A composed application: the HTTP server and everything it holds open. */
export interface Capstan {
  app: FastifyInstance;
  /** Closes the HTTP server, then the stores. */
  close(): Promise<void>;
  /** Tells the services the server's public URL (handed to pipeline steps as MLFLOW_TRACKING_URI). */
  setUrl(url: string): void;
}

/**
 * The composition root: the one place that turns URIs into concrete adapters and wires them
 * into the services and the HTTP edge.
 */
export async function createCapstan(config: CapstanConfig): Promise<Capstan> {
  const { driver, metadata } = await openSqlDatabase(config.backendStoreUri);
  const events = new EventBus();
  let artifactStore;
  try {
    artifactStore = await openArtifactStore(config.artifactsDestination);
  } catch (error) {
    await metadata.close();
    throw error;
  }
  const tracking = new TrackingService(metadata, { defaultArtifactRoot: config.defaultArtifactRoot ?? 'mlflow-artifacts:/' });
  await tracking.init();
  const registry = new RegistryService(metadata, { events });
  const runtime = new OnnxRuntime();
  const serving = new ServingService({
    store: new SqlDeploymentStore(driver),
    runtime,
    events,
    resolveModelUri: (uri) => registry.resolveModelUri(uri),
    getModelVersion: (name, version) => registry.getModelVersion(name, version),
    openModelFiles: async (version) => openModelFiles(version.storageLocation, artifactStore),
    ...config.serving,
  });
  await serving.start();
  const deploymentLog = new SqlDeploymentStore(driver);
  const data = new DataService({ store: new SqlDatasetStore(driver), artifacts: artifactStore, engine: lazyColumnarEngine(), blobFiles: new CachedBlobFiles(blobCacheDir(config.artifactsDestination)), events, tracking });
  const monitoring = new MonitoringService({
    store: new SqlMonitoringStore(driver),
    predictions: {
      // This server's buffered payload log is written first, so a prediction it just answered is
      // visible to drift windows and feedback at once (other replicas flush within 200 ms).
      predictions: async (query) => { await serving.payloadLog.flush(); return deploymentLog.predictions(query); },
      predictionsById: async (ids) => { await serving.payloadLog.flush(); return deploymentLog.predictionsById(ids); },
    },
    deploymentExists: async (name) => (await deploymentLog.get(name)) !== null || (await deploymentLog.history(name, 1)).length > 0,
    events,
    send: fetchWebhookSender,
    sources: {
      primaryVersion: (deployment) => serving.primaryOf(deployment),
      trainingInputs: async (model, version) => {
        const runId = (await registry.getModelVersion(model, Number(version))).runId;
        return runId ? (await tracking.getRun(runId)).inputs.datasetInputs : [];
      },
      modelColumns: (deployment, version) => serving.modelOf(deployment, version).inputs.columns?.map((c) => c.name) ?? null,
      readRows: (dataset, version, maxRows) => data.sampleRows(dataset, version, maxRows),
      score: (deployment, version, table) => serving.scoreTable(deployment, version, table),
    },
    ...config.monitoring,
  });
  monitoring.start();
  const executor = await openExecutor(config.pipelineExecutor ?? process.env.CAPSTAN_PIPELINE_EXECUTOR ?? 'in-process', artifactStore);
  let serverUrl: string | undefined;
  const pipelines = new PipelineService({ store: new SqlPipelineStore(driver), executor, logs: new ArtifactStepLogs(artifactStore), tracking, registry, events, trackingUri: () => serverUrl, ...config.pipelines });
  await pipelines.start();
  const app = buildHttpServer(
    {
      tracking,
      pipelines,
      registry,
      serving,
      monitoring,
      events,
      artifacts: new ArtifactService(artifactStore),
      data,
      info: { storeType: metadata.capabilities.storeType, metadataBackend: metadata.capabilities.backend, artifactBackend: artifactStore.capabilities.backend },
    },
    { logger: config.logger ?? false },
  );
  return {
    app,
    setUrl(url: string) {
      serverUrl = url;
    },
    async close() {
      await app.close();
      await monitoring.close();
      await pipelines.stop();
      await executor.close();
      await serving.close();
      await runtime.close();
      await artifactStore.close();
      await metadata.close();
    },
  };
}

/** Starts a server and returns its address (`http://host:port`). */
export async function startCapstan(config: CapstanConfig & { host: string; port: number }): Promise<Capstan & { url: string }> {
  const capstan = await createCapstan(config);
  try {
    await capstan.app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await capstan.close();
    throw error;
  }
  const address = capstan.app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  capstan.setUrl(`http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`);
  return { ...capstan, url: `http://${host}:${port}` };
}

/** Options of {@link startPipelineWorker} (`capstan worker`). */
export interface PipelineWorkerConfig {
  /** `redis://host:port` of the queue the server's BullMQ executor uses. */
  redisUrl: string;
  /** The artifact store the server uses (a shared directory or `s3://bucket/prefix`). */
  artifactsDestination: string;
  concurrency?: number;
  queue?: string;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  onEvent?: (event: { type: 'start' | 'done' | 'failed'; key: string; error?: string }) => void;
}

/** Starts a pipeline worker: runs steps from the BullMQ queue until closed. */
export async function startPipelineWorker(config: PipelineWorkerConfig): Promise<{ id: string; close(): Promise<void> }> {
  const artifacts = await openArtifactStore(config.artifactsDestination);
  const { startStepWorker } = await import('./adapters/executors/bullmq.js');
  const worker = await startStepWorker({ ...config, artifacts });
  return {
    id: worker.id,
    async close() {
      await worker.close();
      await artifacts.close();
    },
  };
}

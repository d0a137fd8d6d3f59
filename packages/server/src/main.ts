import type { FastifyInstance } from 'fastify';
import { openArtifactStore } from './adapters/artifacts/index.js';
import { openSqlDatabase } from './adapters/sql/index.js';
import { EventBus } from './core/events/bus.js';
import { ArtifactService } from './core/artifacts/service.js';
import { RegistryService } from './core/registry/service.js';
import { TrackingService } from './core/tracking/service.js';
import { buildHttpServer } from './http/server.js';
import { DataService } from './core/data/service.js';
import { blobPath } from './core/data/manifest.js';
import { SqlDatasetStore } from './adapters/sql/data/store.js';
import { CachedBlobFiles, blobCacheDir, lazyColumnarEngine } from './adapters/columnar/blob-files.js';

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
  const app = buildHttpServer(
    {
      tracking,
      registry: new RegistryService(metadata, { events }),
      events,
      artifacts: new ArtifactService(artifactStore),
      data: new DataService({ store: new SqlDatasetStore(driver), artifacts: artifactStore, engine: lazyColumnarEngine(), blobFiles: new CachedBlobFiles(artifactStore, blobCacheDir(config.artifactsDestination), blobPath), events, tracking }),
      info: { storeType: metadata.capabilities.storeType, metadataBackend: metadata.capabilities.backend, artifactBackend: artifactStore.capabilities.backend },
    },
    { logger: config.logger ?? false },
  );
  return {
    app,
    async close() {
      await app.close();
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
  return { ...capstan, url: `http://${host}:${port}` };
}

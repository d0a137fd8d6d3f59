import type { ArtifactService } from '../core/artifacts/service.js';
import type { RegistryService } from '../core/registry/service.js';
import type { TrackingService } from '../core/tracking/service.js';
import type { EventBus } from '../core/events/bus.js';

/** What the HTTP edge is given by the composition root. */
export interface Services {
  tracking: TrackingService;
  registry: RegistryService;
  artifacts: ArtifactService;
  /** Platform events (triggers, webhooks, audit). */
  events: EventBus;
  /** Backend names for `/api/3.0/mlflow/server-info` and `/health` details. */
  info: { storeType: string; metadataBackend: string; artifactBackend: string };
}

import type { ArtifactService } from '../core/artifacts/service.js';
import type { RegistryService } from '../core/registry/service.js';
import type { TrackingService } from '../core/tracking/service.js';
import type { EventBus } from '../core/events/bus.js';
import type { DataService } from '../core/data/service.js';
import type { PipelineService } from '../core/pipelines/service.js';
import type { ServingService } from '../core/serving/service.js';
import type { MonitoringService } from '../core/monitoring/deployments/service.js';

/** What the HTTP edge is given by the composition root. */
export interface Services {
  tracking: TrackingService;
  registry: RegistryService;
  artifacts: ArtifactService;
  /** Deployments and inference. */
  serving: ServingService;
  /** Versioned datasets, profiles and validation (absent in servers built without it). */
  data?: DataService;
  /** Platform events (triggers, webhooks, audit). */
  events: EventBus;
  /** Pipelines (absent: no /api/v1/pipelines routes). */
  pipelines?: PipelineService;
  /** Monitoring of deployments, feedback, alerts and webhooks (absent: no monitoring routes). */
  monitoring?: MonitoringService;
  /** Backend names for `/api/3.0/mlflow/server-info` and `/health` details. */
  info: { storeType: string; metadataBackend: string; artifactBackend: string };
}

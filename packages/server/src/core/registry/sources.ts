import { invalidParameter } from '@capstan/api';
import type { LoggedModel, ModelVersion, RunInfo } from '../model.js';
import { rejectSourceTraversal, runsUriLocation, validateSource } from './service.js';

/** Lookups {@link resolveVersionSource} needs from tracking and the registry. */
export interface SourceLookups {
  getLoggedModel(modelId: string): Promise<LoggedModel>;
  getRunInfo(runId: string): Promise<RunInfo>;
  resolveModelUri(uri: string): Promise<ModelVersion | null>;
}

/**
 * Where a new model version's files are, and which run produced it, from the registration
 * request: `models:/<model_id>` (or `model_id`) → the logged model's artifact location;
 * `models:/name/version|@alias` → that version's location; `runs:/<run>/<path>` → under the
 * run's artifact URI; any other remote URI → itself, after MLflow's source checks.
 * @throws INVALID_PARAMETER_VALUE, RESOURCE_DOES_NOT_EXIST
 */
export async function resolveVersionSource(
  input: { source: string; modelId?: string; runId?: string },
  lookups: SourceLookups,
): Promise<{ storageLocation: string; runId?: string; modelId?: string }> {
  rejectSourceTraversal(input.source);
  const modelRef = /^models:\/(m-[0-9a-f]{32})\/?$/.exec(input.source)?.[1];
  const modelId = input.modelId || modelRef;
  if (modelId) {
    const model = await lookups.getLoggedModel(modelId);
    if (modelRef && input.modelId && modelRef !== input.modelId) {
      throw invalidParameter(`The model_id '${input.modelId}' does not match the source '${input.source}'.`);
    }
    const location = modelRef ? model.artifactLocation : await resolveOther();
    return { storageLocation: location, runId: input.runId || model.sourceRunId || undefined, modelId };
  }
  return { storageLocation: await resolveOther(), runId: input.runId || undefined };

  async function resolveOther(): Promise<string> {
    if (input.source.startsWith('models:/')) {
      const version = await lookups.resolveModelUri(input.source);
      if (!version) throw invalidParameter(`Invalid model URI '${input.source}': use models:/<name>/<version>, models:/<name>@<alias> or models:/<model_id>.`);
      return version.storageLocation;
    }
    if (input.source.startsWith('runs:/')) {
      const runId = /^runs:\/([^/]+)/.exec(input.source)?.[1] ?? '';
      const info = await lookups.getRunInfo(runId);
      return runsUriLocation(input.source, () => info.artifactUri)!;
    }
    validateSource(input.source);
    return input.source;
  }
}

/**
 * `@capstan/client`: the typed Capstan client for Node and browsers. Streaming file helpers for
 * Node live in `@capstan/client/node`.
 */
export {
  CapstanClient, ExperimentsApi, RunsApi, LoggedModelsApi, RegisteredModelsApi, ModelVersionsApi, ArtifactsApi,
} from './client.js';
export type { CapstanClientOptions, KeyValues, ArtifactBody, UploadOptions, Version, Page } from './client.js';
export { Transport, errorFromResponse, queryString, fillPath } from './http.js';
export { PipelinesClient, definePipeline, TERMINAL_RUN_STATUSES } from './pipelines.js';
export type { PipelinesClientOptions, PipelineDefinition, PipelineBuilder, StepContext, StepFunction } from './pipelines.js';
export type { FetchLike, TransportOptions, CallOptions, RawRequestOptions } from './http.js';
export { proxiedPath, joinPath, trimSlashes, artifactUrlPath } from './paths.js';
export { CapstanError, ErrorCode, isCapstanError } from '@capstan/api';
export type {
  ErrorBody, RouteContract, RequestOf, RequestInputOf, ResponseOf, HttpMethod,
  WireKeyValue, WireExperiment, WireRunInfo, WireMetric, WireDataset, WireRun, WireLoggedModel, WireModelVersion, WireRegisteredModel, WireFileInfo,
} from '@capstan/api';
export { DataApi } from './data.js';
export type { CreateVersionOptions, BlobBody } from './data.js';
export { ServingApi } from './serving.js';
export type { ModelSelector, DeploymentOptions, CanaryOptions, OipTensor, InferResult } from './serving.js';
export { MonitoringApi } from './monitoring.js';
export type { MonitorOptions, TimeRange, RuleOptions, FeedbackItem } from './monitoring.js';

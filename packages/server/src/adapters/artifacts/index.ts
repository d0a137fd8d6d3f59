import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { invalidParameter } from '@capstan/api';
import type { ArtifactStore } from '../../ports/artifact-store.js';
import { LocalArtifactStore } from './local.js';

export { LocalArtifactStore, LOCAL_INTERNAL_DIR } from './local.js';

const SUPPORTED = 'use a local path, a file:///absolute/path URI or s3://bucket/prefix';
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
const WINDOWS_DRIVE = /^[A-Za-z]:[\\/]/;

/**
 * Opens the artifact store an artifact root URI names:
 * - a plain path (relative to the working directory) or a `file://` URI: a {@link LocalArtifactStore},
 *   creating the directory;
 * - `s3://bucket/prefix`: an `S3ArtifactStore` (its AWS SDK is loaded only then, keeping cold start fast). The endpoint comes from `MLFLOW_S3_ENDPOINT_URL`,
 *   `AWS_ENDPOINT_URL_S3` or `AWS_ENDPOINT_URL` (first set wins; path-style addressing when one is
 *   set), the region from `AWS_REGION` or `AWS_DEFAULT_REGION` (default `us-east-1`), credentials
 *   from the AWS SDK's default provider chain.
 * @throws CapstanError INVALID_PARAMETER_VALUE for any other form, naming the supported ones.
 * @throws the filesystem error when a local directory cannot be created.
 */
export async function openArtifactStore(uri: string, env: NodeJS.ProcessEnv = process.env): Promise<ArtifactStore> {
  if (/^s3:\/\//i.test(uri)) {
    const rest = uri.slice('s3://'.length);
    const slash = rest.indexOf('/');
    const bucket = slash === -1 ? rest : rest.slice(0, slash);
    const prefix = slash === -1 ? '' : rest.slice(slash + 1);
    if (bucket === '') throw invalidParameter(`Artifact store URI '${uri}' names no bucket: ${SUPPORTED}`);
    const endpoint = nonEmpty(env.MLFLOW_S3_ENDPOINT_URL) ?? nonEmpty(env.AWS_ENDPOINT_URL_S3) ?? nonEmpty(env.AWS_ENDPOINT_URL);
    const { S3ArtifactStore } = await import('./s3.js');
    return new S3ArtifactStore({
      bucket,
      prefix,
      region: nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION) ?? 'us-east-1',
      ...(endpoint !== undefined ? { endpoint, forcePathStyle: true } : {}),
    });
  }
  if (/^file:/i.test(uri)) {
    let path: string;
    try {
      path = fileURLToPath(uri);
    } catch {
      throw invalidParameter(`Artifact store URI '${uri}' is not an absolute local file URI: ${SUPPORTED}`);
    }
    return LocalArtifactStore.open(path);
  }
  if (uri === '' || (SCHEME.test(uri) && !WINDOWS_DRIVE.test(uri))) {
    throw invalidParameter(`Unsupported artifact store URI '${uri}': ${SUPPORTED}`);
  }
  return LocalArtifactStore.open(resolve(uri));
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

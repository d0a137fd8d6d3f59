import { readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { invalidParameter } from '@capstan/api';
import type { ArtifactStore } from '../../ports/artifact-store.js';
import type { ModelFiles } from '../../core/serving/loader.js';
import { proxiedPath } from '../../core/artifacts/uris.js';
import { joinArtifactPath, validateArtifactPath } from '../../core/artifacts/paths.js';

async function readAll(stream: NodeJS.ReadableStream): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks);
}

/**
 * The files of a model directory at `location`: proxied artifacts (`mlflow-artifacts:/...`)
 * come from the artifact store; `file://` URIs and local paths from the file system (a server
 * run next to an `mlflow` client that wrote local files).
 * @throws INVALID_PARAMETER_VALUE for locations this server cannot read
 */
export function openModelFiles(location: string, store?: ArtifactStore): ModelFiles {
  const proxied = proxiedPath(location);
  if (proxied !== null) {
    if (!store) throw invalidParameter(`'${location}' is a proxied artifact URI; download the model first or serve it from the server that stores it.`);
    const root = validateArtifactPath(proxied);
    return {
      location,
      async read(relative) {
        const path = joinArtifactPath(root, validateArtifactPath(relative));
        if ((await store.stat(path)) === null) return null;
        return readAll((await store.get(path)).stream);
      },
    };
  }
  let dir: string | null = null;
  if (location.startsWith('file://')) dir = fileURLToPath(location);
  else if (isAbsolute(location) || !/^[a-z][a-z0-9+.-]*:/i.test(location)) dir = resolve(location);
  if (dir === null) throw invalidParameter(`Model files at '${location}' cannot be read by this server: register versions whose artifacts are proxied (mlflow-artifacts:/) or on a local path.`);
  const base = dir;
  return {
    location,
    async read(relative) {
      try {
        return await readFile(join(base, validateArtifactPath(relative)));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },
  };
}

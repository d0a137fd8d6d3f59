/** Node-only helpers of @capstan/train (file system). */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TabularModel } from './model.js';
import { type MlflowModelOptions, mlflowModelFiles } from './mlflow.js';

/** Writes the MLflow model directory of {@link mlflowModelFiles} to `dir` (created if needed). */
export async function writeMlflowModel(dir: string, model: TabularModel, options: MlflowModelOptions = {}): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files = mlflowModelFiles(model, options);
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  return Object.keys(files);
}

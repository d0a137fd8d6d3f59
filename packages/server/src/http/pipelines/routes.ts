import type { FastifyInstance } from 'fastify';
import { invalidParameter, pipelines as contracts } from '@capstan/api';
import type { PipelineService } from '../../core/pipelines/service.js';
import { mount } from '../edge.js';

const V1 = { prefixes: ['/api/v1'] } as const;

/** Parses a YAML pipeline document (the parser loads on first use). @throws INVALID_PARAMETER_VALUE with the YAML error */
export async function parsePipelineYaml(text: string): Promise<unknown> {
  const { parse } = await import('yaml');
  try {
    return parse(text, { maxAliasCount: 100 });
  } catch (error) {
    throw invalidParameter(`Invalid pipeline YAML: ${(error as Error).message}`);
  }
}

/** Native pipeline routes under `/api/v1` (see `pipelines` in @capstan/api). */
export function pipelineRoutes(app: FastifyInstance, service: PipelineService): void {
  mount(app, contracts.put, async (input) => {
    const spec = input.yaml !== undefined ? await parsePipelineYaml(input.yaml) : input.spec;
    if (spec === undefined || spec === null) throw invalidParameter("Missing value for required parameter 'spec' (a pipeline object) or 'yaml' (its YAML text).");
    const withBase = input.baseDir && typeof spec === 'object' && !Array.isArray(spec) && !(spec as { baseDir?: unknown }).baseDir ? { ...(spec as object), baseDir: input.baseDir } : spec;
    return { pipeline: await service.putPipeline(withBase) };
  }, V1);
  mount(app, contracts.list, async () => ({ pipelines: await service.listPipelines() }), V1);
  mount(app, contracts.get, async (input) => ({ pipeline: await service.getPipeline(input.name) }), V1);
  mount(app, contracts.run, async (input) => ({ run: await service.startRun(input.name, input.params, { wait: input.wait ?? false, trigger: { kind: 'api' } }) }), V1);
  mount(app, contracts.listRuns, async (input) => ({
    runs: await service.listRuns({ ...(input.pipeline ? { pipeline: input.pipeline } : {}), ...(input.status ? { status: input.status } : {}), limit: input.maxResults ?? 100 }),
  }), V1);
  mount(app, contracts.getRun, async (input) => ({ run: await service.getRun(input.runId) }), V1);
  mount(app, contracts.stepLogs, async (input) => service.stepLogs(input.runId, input.step, { ...(input.attempt !== undefined ? { attempt: input.attempt } : {}), offset: input.offset, limit: input.limit }), V1);
  mount(app, contracts.cancelRun, async (input) => ({ run: await service.cancelRun(input.runId) }), V1);
  mount(app, contracts.listApprovals, async (input) => ({ approvals: await service.listApprovals({ ...(input.state ? { state: input.state } : {}), ...(input.runId ? { runId: input.runId } : {}) }) }), V1);
  mount(app, contracts.approve, async (input) => ({ approval: await service.decide(input.runId, input.step, 'APPROVED', input.by ?? 'anonymous', input.comment) }), V1);
  mount(app, contracts.reject, async (input) => ({ approval: await service.decide(input.runId, input.step, 'REJECTED', input.by ?? 'anonymous', input.comment) }), V1);
  mount(app, contracts.lineage, async (input) => service.lineage({
    direction: input.direction,
    ...(input.uri !== undefined ? { uri: input.uri } : {}), ...(input.digest !== undefined ? { digest: input.digest } : {}),
    ...(input.model !== undefined ? { model: input.model } : {}), ...(input.version !== undefined ? { version: input.version } : {}),
  }), V1);
}

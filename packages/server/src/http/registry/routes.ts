import type { FastifyInstance } from 'fastify';
import { registryHistory as api } from '@capstan/api';
import type { RegistryService } from '../../core/registry/service.js';
import { mount } from '../edge.js';

/** The native registry API: a model's change history (promotions with who and when). */
export function registryHistoryRoutes(app: FastifyInstance, registry: RegistryService): void {
  mount(app, api.history, async (i) => ({
    changes: await registry.history(i.name, { ...(i.version !== undefined ? { version: i.version } : {}), ...(i.kind ? { kind: i.kind } : {}), ...(i.before !== undefined ? { beforeId: i.before } : {}), limit: i.maxResults }),
  }), { prefixes: ['/api/v1'] });
}

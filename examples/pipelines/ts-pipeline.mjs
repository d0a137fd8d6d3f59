// A pipeline defined in TypeScript-style code (compiled JavaScript: Node 20 cannot import .ts).
// Run: capstan pipeline run examples/pipelines/ts-pipeline.mjs -p n=1000
import { readFileSync, writeFileSync } from 'node:fs';
import { definePipeline } from '@capstan/client';

export default definePipeline({
  name: 'ts-squares',
  module: import.meta.filename,
  params: { n: { type: 'number', default: 100 }, power: { type: 'number', default: 2 } },
}, (p) => [
  p.fn('generate', { params: ['n'], outputs: { numbers: 'File' } }, (ctx) => {
    writeFileSync(ctx.outputs.numbers, JSON.stringify(Array.from({ length: ctx.params.n }, (_, i) => i)));
  }),
  p.fn('powers', { params: ['power'], inputs: { numbers: 'steps.generate.outputs.numbers' }, outputs: { total: 'number' } }, (ctx) => {
    const numbers = JSON.parse(readFileSync(ctx.inputs.numbers, 'utf8'));
    return { total: numbers.reduce((sum, x) => sum + x ** ctx.params.power, 0) };
  }),
  p.command('report', ['sh', '-c', 'echo total={{inputs.total}} > {{outputs.report}}'], { inputs: { total: 'steps.powers.outputs.total' }, outputs: { report: 'File' } }),
]);

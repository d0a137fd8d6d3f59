import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

it('follows the layer rules of ADR 001 (scripts/check-architecture.mjs)', () => {
  const script = fileURLToPath(new URL('../../../scripts/check-architecture.mjs', import.meta.url));
  let output = '';
  try {
    output = execFileSync(process.execPath, [script], { encoding: 'utf8' });
  } catch (error) {
    output = String((error as { stdout?: string }).stdout ?? error);
  }
  expect(output.trim()).toBe('architecture: ok');
});

/**
 * The step log writer on a real artifact folder: lines split across chunks and UTF-8 characters
 * split across chunks come back whole; past the head limit only the tail is kept, with a line
 * saying how much was cut; a step printing 50 MB through the real step runner stores a bounded
 * log without the heap following the output.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openArtifactStore } from '../../src/adapters/artifacts/index.js';
import { ArtifactStepLogs, StepLogWriter, stepLogPrefix } from '../../src/adapters/executors/step-logs.js';
import { runStepTask } from '../../src/adapters/executors/step-runner.js';
import type { ArtifactStore } from '../../src/ports/artifact-store.js';

let dir: string;
let store: ArtifactStore;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'capstan-step-logs-'));
  store = await openArtifactStore(join(dir, 'artifacts'));
});

afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function readAll(runId: string, node: string, attempt: number) {
  return (await new ArtifactStepLogs(store).read(runId, node, attempt, 0, 100_000)).lines;
}

describe('step logs', () => {
  it('joins lines and characters split across chunks, per stream', async () => {
    const w = new StepLogWriter(store, stepLogPrefix('r1', 'a', 1));
    const euro = Buffer.from('€');
    w.write('out', Buffer.from('hel'));
    w.write('err', Buffer.from('problem\nsecond'));
    w.write('out', Buffer.concat([Buffer.from('lo '), euro.subarray(0, 1)]));
    w.write('out', Buffer.concat([euro.subarray(1), Buffer.from('\r\nlast line without newline')]));
    await w.close();
    const lines = await readAll('r1', 'a', 1);
    expect(lines.map((l) => `${l.s}:${l.l}`)).toEqual(['err:problem', 'out:hello €', 'out:last line without newline', 'err:second']);
  });

  it('keeps the head and the tail past the limit and says how much was cut', async () => {
    const w = new StepLogWriter(store, stepLogPrefix('r2', 'b', 1), { headBytes: 40 * 10, tailBytes: 40 * 5, lineBytes: 50, flushMs: 5, partBytes: 120 });
    for (let i = 0; i < 100; i++) w.write('out', `line ${String(i).padStart(2, '0')}\n`);
    w.write('out', `${'x'.repeat(80)}\n`);
    await w.close();
    const lines = await readAll('r2', 'b', 1);
    const marker = lines.findIndex((l) => l.s === 'sys');
    const head = lines.slice(0, marker).map((l) => l.l);
    const tail = lines.slice(marker + 1).map((l) => l.l);
    expect(head).toEqual(Array.from({ length: head.length }, (_, i) => `line ${String(i).padStart(2, '0')}`));
    expect(tail.at(-1)).toBe(`${'x'.repeat(50)}… (line cut at 50 characters)`);
    const cut = Number(/… (\d+) line\(s\)/.exec(lines[marker]!.l)![1]);
    expect(head.length + cut + tail.length).toBe(101);
    expect(tail.slice(0, -1)).toEqual(Array.from({ length: tail.length - 1 }, (_, i) => `line ${String(101 - tail.length + i).padStart(2, '0')}`));
    const page = await new ArtifactStepLogs(store).read('r2', 'b', 1, 3, 2);
    expect(page.lines.map((l) => l.l)).toEqual(['line 03', 'line 04']);
    expect(page.next).toBe(5);
    expect(await new ArtifactStepLogs(store).read('r2', 'never', 1, 0, 10)).toEqual({ lines: [], next: 0, stored: false });
  });

  it('stores a bounded log of a step that prints 50 MB', async () => {
    const before = process.memoryUsage().heapUsed;
    await runStepTask({
      key: 'big:loud:1', runId: 'big', node: 'loud', attempt: 1, kind: 'command', env: {}, params: {}, inputs: {}, outputs: {}, outputPrefix: 'pipelines/big/loud/1',
      argv: [process.execPath, '-e', "const line = 'y'.repeat(99) + '\\n'; let n = 0; (function w() { while (n < 500000) { n++; if (!process.stdout.write(n + line)) return process.stdout.once('drain', w); } })()"],
    }, new AbortController().signal, { artifacts: store });
    const growth = process.memoryUsage().heapUsed - before;
    const lines = await readAll('big', 'loud', 1);
    const bytes = lines.reduce((a, l) => a + l.l.length, 0);
    expect(bytes).toBeLessThan(5.5 * 1024 * 1024);
    expect(lines[0]!.l).toBe(`1${'y'.repeat(99)}`);
    expect(lines.at(-1)!.l).toBe(`500000${'y'.repeat(99)}`);
    expect(lines.find((l) => l.s === 'sys')!.l).toMatch(/line\(s\), \d+ bytes cut/);
    expect(growth).toBeLessThan(200 * 1024 * 1024);
  }, 60_000);
});

#!/usr/bin/env node
import { buildProgram } from './program.js';

buildProgram().parseAsync(process.argv).catch((error: unknown) => {
  const e = error as { code?: string; message?: string };
  process.stderr.write(`capstan: ${e.code ? `${e.code}: ` : ''}${e.message ?? String(error)}\n`);
  process.exitCode = 1;
});

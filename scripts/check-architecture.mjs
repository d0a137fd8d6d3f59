// The layer rules of docs/adr/001, checked over the source tree. Prints each violation and
// exits 1 when there is one. Run by `npm run lint` and by packages/server/test/architecture.test.ts.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function imports(text) {
  const out = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(import|export)\s+(type\s+)?[^'";]*?from\s+['"]([^'"]+)['"]/g)) out.push({ spec: m[3], typeOnly: Boolean(m[2]) });
  for (const m of text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push({ spec: m[1], typeOnly: false });
  return out;
}

const RULES = [
  {
    name: 'core is pure: no drivers, fs, HTTP framework, adapters or http layer',
    applies: (p) => p.includes(`server${sep}src${sep}core${sep}`),
    forbidden: (spec, typeOnly) => !typeOnly && (/^(node:)?(fs|fs\/promises|http|https|net|child_process)$/.test(spec) || /^(fastify|pg|better-sqlite3|@aws-sdk\/)/.test(spec) || /\/(adapters|http)\//.test(spec)),
  },
  {
    name: 'ports declare interfaces only',
    applies: (p) => p.includes(`server${sep}src${sep}ports${sep}`),
    forbidden: (spec, typeOnly) => !typeOnly,
  },
  {
    name: 'the API package has no Node imports (it ships to browsers)',
    applies: (p) => p.includes(`packages${sep}api${sep}src${sep}`) || (p.includes(`packages${sep}client${sep}src${sep}`) && !p.endsWith('node.ts')),
    forbidden: (spec) => spec.startsWith('node:'),
  },
  {
    name: 'adapters are chosen only in the composition root: the HTTP edge does not import adapters',
    applies: (p) => p.includes(`server${sep}src${sep}http${sep}`),
    forbidden: (spec) => /\/adapters\//.test(spec),
  },
];

const violations = [];
for (const file of files(join(root, 'packages'))) {
  if (file.includes(`${sep}dist${sep}`) || file.includes(`${sep}node_modules${sep}`) || file.includes(`${sep}test${sep}`)) continue;
  const text = readFileSync(file, 'utf8');
  for (const rule of RULES) {
    if (!rule.applies(file)) continue;
    for (const { spec, typeOnly } of imports(text)) {
      if (rule.forbidden(spec, typeOnly)) violations.push(`${relative(root, file)}: imports '${spec}' (${rule.name})`);
    }
  }
  if (/\binstanceof\s+CapstanError\b/.test(text)) violations.push(`${relative(root, file)}: uses instanceof CapstanError (use isCapstanError)`);
}
for (const v of violations) console.log(v);
console.log(violations.length ? `${violations.length} architecture violation(s)` : 'architecture: ok');
process.exit(violations.length ? 1 : 0);

import type { WireChangedFile, WireManifestFile, WireTableInfo } from '@capstan/api';
import { byPath } from './manifest.js';

/** Files added, removed, changed and renamed between two sorted manifests. */
export interface ManifestDiff {
  added: WireManifestFile[];
  removed: WireManifestFile[];
  changed: { path: string; from: WireManifestFile; to: WireManifestFile }[];
  renamed: { from: string; to: string; digest: string; size: number }[];
  unchanged: number;
}

/**
 * Compares two manifests by path. A file removed at one path and added at another with the same
 * digest is reported as renamed (each removed file pairs with at most one added file).
 */
export function diffManifests(from: readonly WireManifestFile[], to: readonly WireManifestFile[]): ManifestDiff {
  const before = new Map(from.map((f) => [f.path, f]));
  const after = new Map(to.map((f) => [f.path, f]));
  let added: WireManifestFile[] = [];
  let removed: WireManifestFile[] = [];
  const changed: ManifestDiff['changed'] = [];
  let unchanged = 0;
  for (const f of to) {
    const old = before.get(f.path);
    if (!old) added.push(f);
    else if (old.digest !== f.digest || old.size !== f.size) changed.push({ path: f.path, from: old, to: f });
    else unchanged++;
  }
  for (const f of from) if (!after.has(f.path)) removed.push(f);
  const removedByDigest = new Map<string, WireManifestFile[]>();
  for (const f of removed) removedByDigest.set(f.digest, [...(removedByDigest.get(f.digest) ?? []), f]);
  const renamed: ManifestDiff['renamed'] = [];
  const pairedRemoved = new Set<string>();
  added = added.filter((f) => {
    const candidates = removedByDigest.get(f.digest);
    const match = candidates?.shift();
    if (!match) return true;
    pairedRemoved.add(match.path);
    renamed.push({ from: match.path, to: f.path, digest: f.digest, size: f.size });
    return false;
  });
  removed = removed.filter((f) => !pairedRemoved.has(f.path));
  return { added, removed, changed: changed.sort(byPath), renamed, unchanged };
}

/** Row counts and schema changes between two readings of a tabular file. */
export function tableChange(from: WireTableInfo, to: WireTableInfo): NonNullable<WireChangedFile['table']> {
  const before = new Map(from.columns.map((c) => [c.name, c.type]));
  const after = new Map(to.columns.map((c) => [c.name, c.type]));
  return {
    rowsFrom: from.rowCount,
    rowsTo: to.rowCount,
    addedColumns: to.columns.filter((c) => !before.has(c.name)),
    removedColumns: from.columns.filter((c) => !after.has(c.name)),
    retypedColumns: to.columns.filter((c) => before.has(c.name) && before.get(c.name) !== c.type).map((c) => ({ name: c.name, from: before.get(c.name)!, to: c.type })),
  };
}

import type { WireDeploymentSpec } from '@capstan/api';

/** `model/version` of a variant or shadow. */
export function versionKey(v: { model: string; version: string }): string {
  return `${v.model}/v${v.version}`;
}

/** What a spec serves, in a few words: `churn/v1 90% · churn/v2 10% · shadow churn/v3 (5%)`. */
export function describeSpec(spec: WireDeploymentSpec): string {
  const parts = spec.variants.map((v) => `${versionKey(v)} ${formatWeight(v.weight)}`);
  if (spec.shadow) parts.push(`shadow ${versionKey(spec.shadow)} (${Math.round(spec.shadow.fraction * 100)}%)`);
  return parts.join(' · ');
}

/** A weight in percent, without trailing zeros. */
export function formatWeight(w: number): string {
  return `${Number(w.toFixed(2))}%`;
}

import type { WireKeyValue } from '@capstan/api';

const two = (n: number) => String(n).padStart(2, '0');

/** A millisecond timestamp as local `YYYY-MM-DD HH:MM:SS`; `''` when unset. */
export function formatTime(ms: number | undefined): string {
  if (ms === undefined || ms === null || !Number.isFinite(ms) || ms <= 0) return '';
  const d = new Date(ms);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** A duration as `850ms`, `12.3s`, `4m 05s` or `2h 03m`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${two(Math.floor(s % 60))}s`;
  return `${Math.floor(m / 60)}h ${two(m % 60)}m`;
}

/** A byte count with a binary unit: `512 B`, `1.5 KiB`, `3.0 MiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** Key/value pairs as `k=v, k2=v2`. */
export function formatPairs(pairs: readonly WireKeyValue[] | undefined, separator = ', '): string {
  return (pairs ?? []).map((p) => `${p.key}=${p.value}`).join(separator);
}

/** A metric value as the wire carries it (numbers, or `NaN`/`Infinity` strings). */
export function formatValue(value: number | string): string {
  return typeof value === 'number' ? String(value) : value;
}

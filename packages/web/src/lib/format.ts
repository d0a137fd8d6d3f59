const NUMBER = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 6, useGrouping: false });
const COUNT = new Intl.NumberFormat('en-US');

/** A metric value: up to 6 significant digits; NaN and infinities as words. */
export function formatValue(value: number | string | undefined | null): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return String(value);
  if (value !== 0 && (Math.abs(value) >= 1e9 || Math.abs(value) < 1e-4)) return value.toExponential(4);
  return NUMBER.format(value);
}

/** A count with thousands separators. */
export function formatCount(n: number): string {
  return COUNT.format(n);
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** A local timestamp `YYYY-MM-DD HH:mm:ss`, or '' when absent. */
export function formatTime(ms: number | undefined | null): string {
  if (!ms) return '';
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A duration in ms as `1h 02m`, `3m 04s`, `5.2s` or `120ms`. */
export function formatDuration(ms: number | undefined | null): string {
  if (ms === undefined || ms === null || ms < 0) return '';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${pad(Math.floor(s % 60))}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${pad(m % 60)}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** "3 minutes ago" and the like. */
export function formatAgo(ms: number | undefined | null, now = Date.now()): string {
  if (!ms) return '';
  const s = Math.round((now - ms) / 1000);
  if (s < 45) return 'just now';
  const units: [number, string][] = [[60, 'minute'], [3600, 'hour'], [86400, 'day'], [2592000, 'month'], [31536000, 'year']];
  let label = 'minute';
  let size = 60;
  for (const [secs, name] of units) if (s >= secs) [size, label] = [secs, name];
  const n = Math.round(s / size);
  return `${n} ${label}${n === 1 ? '' : 's'} ago`;
}

/** A byte size as `12.3 KB`. */
export function formatBytes(n: number | undefined): string {
  if (n === undefined) return '';
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** A metric value from the wire (numbers, or "NaN"/"Infinity" strings) as a number. */
export function numberOf(value: number | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return value;
  const n = Number(value);
  return Number.isNaN(n) && value !== 'NaN' ? undefined : n;
}

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** One day of Seattle weather (vega-datasets' seattle-weather.csv, 2012–2015). */
export interface Day {
  date: string;
  precipitation: number;
  temp_max: number;
  temp_min: number;
  wind: number;
  weather: string;
}

/** The model's input columns (what the deployment is called with). */
export const FEATURES = ['precipitation', 'temp_max', 'temp_min', 'wind', 'month'] as const;

/** Reads the CSV that the vega-datasets npm package ships. */
export function loadSeattleWeather(): Day[] {
  const main = createRequire(import.meta.url).resolve('vega-datasets');
  const path = join(dirname(main), '..', 'data', 'seattle-weather.csv');
  const [header, ...lines] = readFileSync(path, 'utf8').trim().split(/\r?\n/);
  const cols = header!.split(',');
  return lines.map((line) => {
    const v = line.split(',');
    const get = (name: string) => v[cols.indexOf(name)]!;
    return { date: get('date'), precipitation: Number(get('precipitation')), temp_max: Number(get('temp_max')), temp_min: Number(get('temp_min')), wind: Number(get('wind')), weather: get('weather') };
  });
}

/** A day's model inputs. */
export function featuresOf(d: Day): Record<(typeof FEATURES)[number], number> {
  return { precipitation: d.precipitation, temp_max: d.temp_max, temp_min: d.temp_min, wind: d.wind, month: Number(d.date.slice(5, 7)) };
}

/** Days as CSV text with the feature columns, the date and the label. */
export function toCsv(days: readonly Day[]): string {
  const head = ['date', ...FEATURES, 'weather'];
  return `${head.join(',')}\n${days.map((d) => {
    const f = featuresOf(d);
    return [d.date, ...FEATURES.map((k) => f[k]), d.weather].join(',');
  }).join('\n')}\n`;
}

/** Parses {@link toCsv}'s output back to feature columns and labels (for training steps). */
export function parseCsv(text: string): { columns: Record<string, number[]>; labels: string[]; dates: string[] } {
  const [header, ...lines] = text.trim().split(/\r?\n/);
  const cols = header!.split(',');
  const columns: Record<string, number[]> = Object.fromEntries(FEATURES.map((f) => [f, [] as number[]]));
  const labels: string[] = [];
  const dates: string[] = [];
  for (const line of lines) {
    const v = line.split(',');
    for (const f of FEATURES) columns[f]!.push(Number(v[cols.indexOf(f)]));
    labels.push(v[cols.indexOf('weather')]!);
    dates.push(v[cols.indexOf('date')]!);
  }
  return { columns, labels, dates };
}

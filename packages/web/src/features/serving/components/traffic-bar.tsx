import type { WireDeploymentSpec } from '@capstan/api';
import { colorAt } from '../../../lib/theme';
import { formatWeight, versionKey } from '../traffic';

/** The traffic split as one bar: a segment per version sized by its weight; the shadow below it, hatched. */
export function TrafficBar({ spec, colors }: { spec: WireDeploymentSpec; colors: Map<string, string> }) {
  return (
    <div className="traffic" aria-label="Traffic split">
      <div className="traffic-bar" role="list">
        {spec.variants.map((v, i) => (
          <div
            key={versionKey(v)}
            role="listitem"
            className="traffic-seg"
            data-version={v.version}
            style={{ flexGrow: v.weight, background: colors.get(versionKey(v)) ?? colorAt(i) }}
            title={`${versionKey(v)}: ${formatWeight(v.weight)} of requests`}
            aria-label={`${versionKey(v)} ${formatWeight(v.weight)}`}
          >
            {v.weight >= 8 ? <span>{versionKey(v)} · {formatWeight(v.weight)}</span> : null}
          </div>
        ))}
      </div>
      {spec.shadow ? (
        <div className="traffic-shadow-row">
          <div
            className="traffic-shadow"
            data-shadow={spec.shadow.version}
            style={{ width: `${Math.max(4, spec.shadow.fraction * 100)}%`, borderColor: colors.get(versionKey(spec.shadow)) }}
            aria-label={`Shadow ${versionKey(spec.shadow)} gets a copy of ${Math.round(spec.shadow.fraction * 100)}% of requests`}
          />
          <span className="small"><span className="badge badge-shadow">shadow</span> {versionKey(spec.shadow)} gets a copy of {Math.round(spec.shadow.fraction * 100)}% of requests; its answers are only logged</span>
        </div>
      ) : null}
      <ul className="legend">
        {spec.variants.map((v, i) => (
          <li key={versionKey(v)}><span className="swatch" style={{ background: colors.get(versionKey(v)) ?? colorAt(i) }} />{versionKey(v)} <span className="muted">{formatWeight(v.weight)}</span></li>
        ))}
      </ul>
    </div>
  );
}

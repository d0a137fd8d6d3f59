import type { WireRegistryChange } from '@capstan/api';
import { Empty, ErrorState, Loading } from '../../../components/states';
import { client } from '../../../lib/api';
import { formatTime } from '../../../lib/format';
import { link, seg } from '../../../lib/router';
import { useAsync } from '../../../lib/use-async';

/** One change as a sentence: "moved @champion from version 1 to version 2". */
export function describeChange(c: WireRegistryChange): string {
  const v = (x: string | null) => (x === null ? '' : `version ${x}`);
  switch (c.kind) {
    case 'alias_set': return c.before ? `moved @${c.alias} from ${v(c.before)} to ${v(c.after)}` : `set @${c.alias} to ${v(c.after)}`;
    case 'alias_deleted': return `removed @${c.alias}${c.before ? ` (was on ${v(c.before)})` : ''}`;
    case 'stage_changed': return `moved version ${c.version} from stage ${c.before ?? 'None'} to ${c.after ?? 'None'}`;
    case 'version_created': return `registered version ${c.version}${c.after ? ` from ${c.after}` : ''}`;
    case 'version_deleted': return `deleted version ${c.version}${c.before ? ` (had ${c.before})` : ''}`;
    case 'version_description': return `edited the description of version ${c.version}`;
    case 'model_created': return 'created the model';
    case 'model_renamed': return `renamed the model from ${c.before} to ${c.after}`;
    case 'model_deleted': return 'deleted the model';
    case 'model_description': return 'edited the description';
  }
}

const PROMOTIONS = new Set<WireRegistryChange['kind']>(['alias_set', 'alias_deleted', 'stage_changed']);

/**
 * The registry's record of who changed a model (or one version) and when, newest first, as a
 * timeline; alias moves and stage changes are marked as promotions.
 */
export function PromotionHistory({ model, version, reloadKey }: { model: string; version?: string; reloadKey?: unknown }) {
  const [state, reload] = useAsync((signal) => client.registeredModels.history(model, { ...(version ? { version: Number(version) } : {}), maxResults: 200 }, { signal }), [model, version, reloadKey]);
  if (state.status === 'error' && !state.data) return <ErrorState problem={state.problem} retry={reload} height={80} />;
  if (!state.data) return <Loading label="Loading history…" height={80} />;
  if (state.data.length === 0) return <Empty title="No recorded changes" height={60}>Changes made before this server recorded history are not listed.</Empty>;
  return (
    <ol className="timeline" aria-label={version ? `History of version ${version}` : 'Model history'}>
      {state.data.map((c) => (
        <li key={c.id} data-change={c.kind}>
          <time dateTime={new Date(c.time).toISOString()}>{formatTime(c.time)}</time>
          <span>
            <strong className="mono">{c.user}</strong>{' '}
            <span className={PROMOTIONS.has(c.kind) ? 'change-kind' : undefined}>{describeChange(c)}</span>
            {!version && c.version !== null && c.kind !== 'version_deleted' ? <> · <a href={link(`/models/${seg(c.model)}/versions/${c.version}`)}>open</a></> : null}
          </span>
        </li>
      ))}
    </ol>
  );
}

import { useEffect, useState } from 'react';
import type { WireModelVersion } from '@capstan/client';
import { currentUser } from '../../../lib/identity';
import { Dialog } from '../../../components/dialog';
import { client, problemOf, type Problem } from '../../../lib/api';

/** What the dialog starts from: an alias to move, or a version to point an alias at. */
export interface AliasTarget {
  alias?: string;
  version?: string;
}

const ALIAS = /^[\w-]+$/;

/**
 * Moves (or creates) an alias, with a confirmation naming what changes: the alias, the version it
 * leaves and the version it reaches. Nothing is sent until "Move alias" is pressed.
 */
export function AliasDialog({ model, versions, aliases, target, onClose, onDone }: {
  model: string;
  versions: WireModelVersion[];
  aliases: { alias: string; version: string }[];
  target: AliasTarget | null;
  onClose(): void;
  onDone(message: string): void;
}) {
  const [alias, setAlias] = useState('');
  const [version, setVersion] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  useEffect(() => {
    if (!target) return;
    const current = aliases.find((a) => a.alias === target.alias)?.version;
    setAlias(target.alias ?? '');
    setVersion(target.version ?? versions.find((v) => v.version !== current)?.version ?? versions[0]?.version ?? '');
    setProblem(null);
    setBusy(false);
  }, [target, aliases, versions]);

  const from = aliases.find((a) => a.alias === alias)?.version;
  const valid = ALIAS.test(alias) && alias !== 'latest' && !/^v\d+$/.test(alias) && version !== '' && version !== from;
  const submit = async () => {
    if (!valid) return;
    setBusy(true);
    setProblem(null);
    try {
      await client.registeredModels.setAlias(model, alias, version);
      onDone(from ? `Moved @${alias} from version ${from} to version ${version}.` : `Set @${alias} to version ${version}.`);
    } catch (error) {
      setProblem(problemOf(error));
      setBusy(false);
    }
  };

  return (
    <Dialog
      open={target !== null}
      onClose={onClose}
      title={target?.alias ? `Move alias @${target.alias}` : 'Set an alias'}
      label="Move alias"
      actions={
        <>
          <button type="button" className="button" onClick={onClose}>Cancel</button>
          <button type="button" className="button primary" disabled={!valid || busy} onClick={submit} data-confirm="move-alias">
            {busy ? 'Moving…' : from ? 'Move alias' : 'Set alias'}
          </button>
        </>
      }
    >
      <div className="form-grid">
        {target?.alias ? null : (
          <label className="form-row">
            <span>Alias</span>
            <input className="input mono" value={alias} onChange={(e) => setAlias(e.target.value.trim())} placeholder="champion" autoFocus list="known-aliases" />
            <datalist id="known-aliases">{aliases.map((a) => <option key={a.alias} value={a.alias} />)}</datalist>
          </label>
        )}
        <label className="form-row">
          <span>Version</span>
          <select className="input" value={version} onChange={(e) => setVersion(e.target.value)} autoFocus={Boolean(target?.alias)}>
            {versions.map((v) => (
              <option key={v.version} value={v.version}>
                Version {v.version}{v.current_stage && v.current_stage !== 'None' ? ` · ${v.current_stage}` : ''}{v.aliases?.length ? ` · @${v.aliases.join(' @')}` : ''}
              </option>
            ))}
          </select>
        </label>
      </div>
      <p className="confirm-text" aria-live="polite">
        {!alias ? 'Name the alias to set.' : !valid && alias && !ALIAS.test(alias) ? 'Aliases use letters, digits, _ and -.' : version === from ? `@${alias} already points to version ${version}.` : from ? (
          <>Move <strong>@{alias}</strong> of <strong>{model}</strong> from version <strong>{from}</strong> to version <strong>{version}</strong>? Anything loading <code>models:/{model}@{alias}</code> gets version {version} from its next load.</>
        ) : (
          <>Point the new alias <strong>@{alias}</strong> at version <strong>{version}</strong> of <strong>{model}</strong>?</>
        )}
      </p>
      <p className="muted small">Recorded in the model's history as {currentUser() ?? 'anonymous'} (set your name in the top bar).</p>
      {problem ? <div className="field-error" role="alert">{problem.message}</div> : null}
    </Dialog>
  );
}

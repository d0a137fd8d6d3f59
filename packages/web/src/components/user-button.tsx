import { useState } from 'react';
import { setCurrentUser, useCurrentUser } from '../lib/identity';
import { Dialog } from './dialog';

/** The top bar's "who am I": the name recorded on alias moves, approvals and deployment changes. */
export function UserButton() {
  const user = useCurrentUser();
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState('');
  return (
    <>
      <button type="button" className="button user-button" onClick={() => { setDraft(user ?? ''); setOpen(true); }} title="The name recorded on the changes you make" aria-label={`Acting as ${user ?? 'anonymous'}; change`}>
        {user ?? 'anonymous'}
      </button>
      <Dialog
        open={open}
        title="Your name"
        onClose={() => setOpen(false)}
        actions={<>
          <button type="button" className="button" onClick={() => setOpen(false)}>Cancel</button>
          <button type="submit" form="user-name-form" className="button primary">Save</button>
        </>}
      >
        <form id="user-name-form" onSubmit={(e) => { e.preventDefault(); setCurrentUser(draft); setOpen(false); }}>
          <p className="muted small">Recorded with the changes you make here (alias moves, stage changes, approvals, deployments). Stored in this browser only; it is not a login.</p>
          <input className="input" value={draft} onChange={(e) => setDraft(e.target.value)} aria-label="Your name" placeholder="e.g. ana@example.com" maxLength={256} autoFocus />
        </form>
      </Dialog>
    </>
  );
}

'use client';

import Link from 'next/link';
import { useActionState } from 'react';
import { deleteExplorerView } from '@/lib/actions/delete-explorer-view';
import { saveExplorerView } from '@/lib/actions/save-explorer-view';
import { ActionMessage } from '../../ui/action-message';

const IDLE = { status: 'idle' } as const;

export interface SavedViewItem {
  id: string;
  name: string;
  search: string;
  shared: boolean;
  mine: boolean;
  owner: string;
  deletable: boolean;
}

function DeleteView({ id, name }: { id: string; name: string }) {
  const [state, action, pending] = useActionState(deleteExplorerView, IDLE);
  return (
    <form action={action} className="inline">
      <input type="hidden" name="id" value={id} />
      <button type="submit" className="btn" disabled={pending} aria-label={`Delete view ${name}`}>
        Delete
      </button>
      <ActionMessage state={state} testId="delete-view-message" />
    </form>
  );
}

/** Saved views (the user's and the shared ones) and the form that saves the current one. */
export function SavedViews({ views, search }: { views: SavedViewItem[]; search: string }) {
  const [state, action, pending] = useActionState(saveExplorerView, IDLE);
  return (
    <section className="panel" aria-labelledby="views-title" data-testid="saved-views">
      <div className="panel-head">
        <h2 id="views-title">Saved views</h2>
      </div>
      {views.length ? (
        <ul className="figure-list">
          {views.map((v) => (
            <li key={v.id} data-testid="saved-view">
              <Link href={`/explorer?${v.search}`}>{v.name}</Link>{' '}
              <span className="cell-sub">{v.mine ? (v.shared ? 'yours, shared' : 'yours, private') : `shared by ${v.owner}`}</span>
              {v.deletable ? <DeleteView id={v.id} name={v.name} /> : null}
            </li>
          ))}
        </ul>
      ) : (
        <p className="figure-sub">No saved views yet.</p>
      )}
      <form action={action} className="toolbar" aria-label="Save this view">
        <input type="hidden" name="search" value={search} />
        <label htmlFor="view-name">Name</label>
        <input id="view-name" name="name" required maxLength={100} placeholder="e.g. GPU spend by team" />
        <label>
          <input type="checkbox" name="shared" /> Share with the team
        </label>
        <button type="submit" className="btn btn-primary" disabled={pending}>
          Save view
        </button>
      </form>
      <ActionMessage state={state} testId="save-view-message" />
    </section>
  );
}

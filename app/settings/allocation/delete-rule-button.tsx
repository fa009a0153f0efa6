'use client';

import { useActionState } from 'react';
import { deleteSharedCostRule } from '@/lib/actions/delete-shared-cost-rule';
import { ActionMessage } from '../../ui/action-message';

/** Deletes one shared-cost rule, after the browser's confirmation. */
export function DeleteRuleButton({ id, name }: { id: number; name: string }) {
  const [state, action, pending] = useActionState(deleteSharedCostRule, { status: 'idle' });
  return (
    <form
      action={action}
      style={{ display: 'inline' }}
      onSubmit={(e) => {
        if (!window.confirm(`Delete the shared-cost rule “${name}”?`)) e.preventDefault();
      }}
    >
      <input type="hidden" name="id" value={id} />
      <button type="submit" className="btn btn-small" disabled={pending} data-testid={`allocation-delete-${id}`}>
        Delete
      </button>
      <ActionMessage state={state} testId={`allocation-delete-message-${id}`} />
    </form>
  );
}

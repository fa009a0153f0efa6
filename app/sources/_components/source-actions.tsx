'use client';

import { useActionState } from 'react';
import { deleteSource } from '@/lib/actions/delete-source';
import { setSourceEnabled } from '@/lib/actions/set-source-enabled';
import { syncInventoryNow } from '@/lib/actions/sync-inventory-now';
import { syncSourceNow } from '@/lib/actions/sync-source-now';
import { testSourceConnection } from '@/lib/actions/test-source-connection';
import { ActionMessage } from '../../ui/action-message';
import styles from './sources.module.css';

const IDLE = { status: 'idle' } as const;

/** Test connection, Sync now, Enable/Disable and Delete for one source; each shows its own outcome. */
export function SourceActions({
  id,
  name,
  isConnector,
  inventoryOnly = false,
  inventoryEnabled = false,
  enabled,
  rows,
}: {
  id: number;
  name: string;
  isConnector: boolean;
  inventoryOnly?: boolean;
  inventoryEnabled?: boolean;
  enabled: boolean;
  rows: string;
}) {
  const [testState, testAction, testing] = useActionState(testSourceConnection, IDLE);
  const [syncState, syncAction, queuing] = useActionState(syncSourceNow, IDLE);
  const [inventoryState, inventoryAction, queuingInventory] = useActionState(syncInventoryNow, IDLE);
  const [enableState, enableAction, toggling] = useActionState(setSourceEnabled, IDLE);
  const [deleteState, deleteAction, deleting] = useActionState(deleteSource, IDLE);

  const idField = <input type="hidden" name="id" value={id} />;
  return (
    <div className={styles.form} style={{ maxWidth: 'none' }}>
      <div className={styles.actions}>
        {isConnector || inventoryOnly ? (
          <>
            <form action={testAction}>
              {idField}
              <button type="submit" className="btn" disabled={testing} data-testid="test-connection">
                {testing ? 'Testing…' : 'Test connection'}
              </button>
            </form>
            {isConnector ? (
              <form action={syncAction}>
                {idField}
                <button
                  type="submit"
                  className={`btn ${styles.primary}`}
                  disabled={queuing || !enabled}
                  title={enabled ? undefined : 'Enable the source to sync it'}
                  data-testid="sync-now"
                >
                  {queuing ? 'Queuing…' : 'Sync now'}
                </button>
              </form>
            ) : null}
            {inventoryEnabled ? (
              <form action={inventoryAction}>
                {idField}
                <button
                  type="submit"
                  className={`btn ${inventoryOnly ? styles.primary : ''}`}
                  disabled={queuingInventory || !enabled}
                  title={enabled ? undefined : 'Enable the source to sync it'}
                  data-testid="sync-inventory-now"
                >
                  {queuingInventory ? 'Queuing…' : 'Sync inventory now'}
                </button>
              </form>
            ) : null}
            <form action={enableAction}>
              {idField}
              <input type="hidden" name="enabled" value={enabled ? 'false' : 'true'} />
              <button type="submit" className="btn" disabled={toggling} data-testid="toggle-enabled">
                {enabled ? 'Disable' : 'Enable'}
              </button>
            </form>
          </>
        ) : null}
        <form
          action={deleteAction}
          onSubmit={(event) => {
            const data = rows === '0' ? '' : ` and its ${rows} line items`;
            if (!window.confirm(`Delete ${name}${data}? The Overview loses this source's costs. This cannot be undone.`)) {
              event.preventDefault();
            }
          }}
        >
          {idField}
          <button type="submit" className={`btn ${styles.danger}`} disabled={deleting} data-testid="delete-source">
            {deleting ? 'Deleting…' : 'Delete'}
          </button>
        </form>
      </div>
      <ActionMessage state={testState} testId="test-result" />
      <ActionMessage state={syncState} testId="sync-result" />
      <ActionMessage state={inventoryState} testId="sync-inventory-result" />
      <ActionMessage state={enableState} testId="enable-result" />
      <ActionMessage state={deleteState} testId="delete-result" />
    </div>
  );
}

import Link from 'next/link';
import { type FieldChange, fieldChanges } from '@/lib/audit/changes';
import { type AuditFilters, type AuditRow, auditSearchString } from '@/lib/audit/query';
import type { JsonValue } from '@/lib/audit/redact';
import { Badge } from '../../sources/_components/badges';
import styles from './audit.module.css';

/** "2026-12-03 11:52:38 UTC": an audit line needs the year and the seconds. */
function when(at: Date): string {
  return `${at.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

function filterHref(filters: AuditFilters): string {
  return `/audit${auditSearchString(filters)}`;
}

function Who({ row }: { row: AuditRow }) {
  switch (row.actorKind) {
    case 'user':
      return (
        <>
          <Link href={filterHref({ actor: row.actorUserId ?? row.actorEmail ?? '' })} title={`user id ${row.actorUserId ?? '?'}`}>
            {row.actorEmail ?? row.actorUserId}
          </Link>
          {row.actorDetail === 'api-token' ? <div className="cell-sub">API token</div> : null}
        </>
      );
    case 'anonymous':
      return <span className="cell-sub">not signed in</span>;
    case 'cli':
      return (
        <>
          shell <span className="cell-sub">({row.actorDetail ?? 'unknown OS user'})</span>
        </>
      );
    case 'system':
      return (
        <>
          Burnrate <span className="cell-sub">({row.actorDetail ?? 'server'})</span>
        </>
      );
  }
}

function Value({ value }: { value: JsonValue | undefined }) {
  if (value === undefined) return <span className={styles.absent}>none</span>;
  if (value === null) return <span className={styles.absent}>empty</span>;
  return <span className={styles.value}>{typeof value === 'string' ? value : JSON.stringify(value)}</span>;
}

function Change({ change }: { change: FieldChange }) {
  // A field listed without values (credentials) is named only.
  if (change.before === undefined && change.after === undefined) return <span className={styles.fieldName}>{change.field}</span>;
  return (
    <>
      <span className={styles.fieldName}>{change.field}</span>:{' '}
      {change.before !== undefined ? (
        <>
          <Value value={change.before} />
          <span className={styles.arrow}>→</span>
        </>
      ) : null}
      <Value value={change.after} />
    </>
  );
}

/** The detail keys shown besides the changed fields (a note, the refusal's message, a job id…). */
function extraDetail(detail: JsonValue | null): [string, JsonValue][] {
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) return [];
  return Object.entries(detail).filter(([key]) => key !== 'changed');
}

function WhatChanged({ row }: { row: AuditRow }) {
  const changes = fieldChanges(row);
  const extra = extraDetail(row.detail);
  if (changes.length === 0 && extra.length === 0) return <span className="cell-sub">—</span>;
  return (
    <ul className={styles.changes} data-testid="audit-changes">
      {changes.map((c) => (
        <li key={`c-${c.field}`}>
          <Change change={c} />
        </li>
      ))}
      {extra.map(([key, value]) => (
        <li key={`d-${key}`}>
          <span className={styles.fieldName}>{key}</span>: <Value value={value} />
        </li>
      ))}
    </ul>
  );
}

const OUTCOME_TONE = { ok: 'ok', refused: 'muted', failed: 'failed' } as const;

/** Audit lines, newest first; who, action and object link to the trail filtered by them. */
export function AuditTable({ rows }: { rows: AuditRow[] }) {
  return (
    <div className="table-scroll">
      <table className="table" data-testid="audit-table">
        <thead>
          <tr>
            <th>When (UTC)</th>
            <th>Who</th>
            <th>From</th>
            <th>Action</th>
            <th>Object</th>
            <th>Outcome</th>
            <th>What changed</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.id} data-testid="audit-row" data-action={row.action} data-outcome={row.outcome}>
              <td className={`nowrap mono ${styles.top}`} title={row.at.toISOString()}>
                {when(row.at)}
              </td>
              <td className={styles.top}>
                <Who row={row} />
              </td>
              <td className={`mono ${styles.top}`}>{row.ip ?? <span className="cell-sub">—</span>}</td>
              <td className={styles.top}>
                <Link href={filterHref({ action: row.action })} className="mono">
                  {row.action}
                </Link>
              </td>
              <td className={`nowrap ${styles.top}`}>
                {row.objectType ? (
                  <Link href={filterHref({ objectType: row.objectType, objectId: row.objectId ?? undefined })}>
                    {row.objectType}
                    {row.objectId ? ` ${row.objectId}` : ''}
                  </Link>
                ) : (
                  <span className="cell-sub">—</span>
                )}
              </td>
              <td className={styles.top}>
                <Badge tone={OUTCOME_TONE[row.outcome]}>{row.outcome}</Badge>
              </td>
              <td className={styles.top}>
                <WhatChanged row={row} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

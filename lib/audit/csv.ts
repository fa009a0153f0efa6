import { csvStream } from '../csv-export';
import type { AuditRow } from './query';

/** The audit trail as CSV (lib/csv-export.ts: RFC 4180, formula cells neutralized). Every column is text. */

export const AUDIT_CSV_COLUMNS = [
  'id',
  'at_utc',
  'actor_kind',
  'actor_user_id',
  'actor_email',
  'actor_detail',
  'ip',
  'action',
  'object_type',
  'object_id',
  'outcome',
  'before',
  'after',
  'detail',
] as const;

function json(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

export function auditCsvCells(row: AuditRow): (string | null)[] {
  return [
    row.id,
    row.at.toISOString(),
    row.actorKind,
    row.actorUserId,
    row.actorEmail,
    row.actorDetail,
    row.ip,
    row.action,
    row.objectType,
    row.objectId,
    row.outcome,
    json(row.before),
    json(row.after),
    json(row.detail),
  ];
}

/** The header and one line per row, encoded as UTF-8, pulled from `rows` as the client reads. */
export function auditCsvStream(rows: AsyncIterable<AuditRow>): ReadableStream<Uint8Array> {
  return csvStream(AUDIT_CSV_COLUMNS, rows, auditCsvCells);
}

import type { AuditRow } from './query';

/**
 * The audit trail as CSV (RFC 4180: comma-separated, CRLF line ends, a field holding a comma, a
 * double quote, CR or LF is enclosed in double quotes with its quotes doubled; a header line).
 *
 * Formula injection: spreadsheets run a cell that starts with =, +, -, @, TAB or CR as a formula,
 * and audit lines carry text other people typed (source names, emails, failed sign-in addresses).
 * Such a cell gets a single quote in front (OWASP's advice), which spreadsheets show as text and
 * which a reader of the raw file can strip; no other cell is changed. Every column is text, so the
 * prefix never alters a number.
 */

const FORMULA_START = /^[=+\-@\t\r]/;

/** One field: neutralized if a spreadsheet would run it, quoted if RFC 4180 requires it. Null is an empty field. */
export function csvCell(value: string | null): string {
  if (value === null) return '';
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function csvLine(cells: readonly (string | null)[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

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

export function auditCsvLine(row: AuditRow): string {
  return csvLine([
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
  ]);
}

/** The header and one line per row, encoded as UTF-8, pulled from `rows` as the client reads. */
export function auditCsvStream(rows: AsyncIterable<AuditRow>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const iterator = rows[Symbol.asyncIterator]();
  let headerSent = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true;
        controller.enqueue(encoder.encode(csvLine(AUDIT_CSV_COLUMNS)));
        return;
      }
      const next = await iterator.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(auditCsvLine(next.value)));
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}

import { timestamp, ValueError } from '../../focus/normalize';

const SLASHED_DATE_RE = /^(\d{4})\/(\d{2})\/(\d{2})(?=[ T]|$)/;
const EPOCH_RE = /^\d{9,13}(?:\.\d+)?$/;

/**
 * Epoch milliseconds of a sample's time: the ISO spellings `lib/focus/normalize.ts` reads (no zone
 * means UTC), nvidia-smi's `2026/07/14 08:12:53.353`, and epoch seconds (up to 11 digits) or
 * milliseconds (12-13 digits). Throws ValueError naming the value.
 */
export function sampleTime(text: string): number {
  const t = text.trim();
  if (EPOCH_RE.test(t)) {
    const n = Number(t);
    return t.indexOf('.') === -1 && t.length >= 12 ? n : Math.round(n * 1000);
  }
  const iso = timestamp(t.replace(SLASHED_DATE_RE, '$1-$2-$3'));
  if (iso === null) throw new ValueError('is empty, not a date/time');
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) throw new ValueError(`${JSON.stringify(t)} is not a date/time`);
  return ms;
}

import { cachedAnswer } from '../cache/data-version';
import { getPool } from '../db/pool';

export interface DataStatus {
  hasData: boolean;
  firstDay: string | null;
  lastDay: string | null;
}

interface Row {
  first_day: string | null;
  last_day: string | null;
}

/** Whether any cost data exists, and its span (for the empty state and "latest data" hints). */
export async function getDataStatus(): Promise<DataStatus> {
  return cachedAnswer('data-status', null, () => uncachedGetDataStatus());
}

async function uncachedGetDataStatus(): Promise<DataStatus> {
  const { rows } = await getPool().query<Row>('SELECT min(day) AS first_day, max(day) AS last_day FROM cost_daily');
  const row = rows[0];
  const firstDay = row?.first_day ?? null;
  const lastDay = row?.last_day ?? null;
  return { hasData: lastDay !== null, firstDay, lastDay };
}

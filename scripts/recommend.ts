// npm run recommend -- [--json] [--now ISO-INSTANT]
import { parseArgs } from 'node:util';
import { resolveDatabase } from '../lib/db/connect';
import { closePool, getPool } from '../lib/db/pool';
import { openRecommendations, type RecommendationOut } from '../lib/recommendations/list';
import { refreshRecommendations } from '../lib/recommendations/refresh';

const USAGE = `usage: npm run recommend -- [--json] [--now ISO-INSTANT]
  Derives resources from the bills, runs every rule, and prints the open recommendations.
  --json  an array of {kind, provider, resourceId, subResourceId, currentType, proposedType, monthlySavings, evidence, status}
  --now   the end of every window (default: now), e.g. to replay recorded metrics`;

async function main(): Promise<number> {
  let json = false;
  let now = new Date();
  try {
    const { values } = parseArgs({
      options: { json: { type: 'boolean' }, now: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    json = values.json === true;
    if (values.now !== undefined) {
      const t = Date.parse(values.now);
      if (Number.isNaN(t)) {
        console.error(`--now: not a date/time: ${JSON.stringify(values.now)}\n${USAGE}`);
        return 2;
      }
      now = new Date(t);
    }
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }

  const db = await resolveDatabase(json ? () => {} : (line) => console.error(line));
  process.env.DATABASE_URL = db.url;
  try {
    const { resources, recommendations: s } = await refreshRecommendations(getPool(), { now });
    const open = await openRecommendations(getPool());
    for (const w of s.warnings) console.error(`warning: ${w}`);
    if (json) console.log(JSON.stringify(open, null, 2));
    else {
      console.error(
        `${resources.resources} billed resources; ${s.rules.length} rules in ${s.durationMs} ms: ${s.created} new, ${s.updated} still found, ` +
          `${s.reopened} reopened, ${s.resolved} resolved, ${s.snoozesEnded} snoozes ended`,
      );
      printTable(open);
    }
    return s.rules.some((r) => r.error !== null) ? 1 : 0;
  } finally {
    await closePool();
    await db.stop();
  }
}

function printTable(open: readonly RecommendationOut[]): void {
  if (open.length === 0) {
    console.log('No open recommendations.');
    return;
  }
  const rows = open.map((r) => [
    r.kind,
    `${r.provider} ${r.resourceId}${r.subResourceId ? ` ${r.subResourceId}` : ''}`,
    r.proposedType ? `${r.currentType ?? '?'} → ${r.proposedType}` : (r.currentType ?? ''),
    r.monthlySavings ? `${r.monthlySavings.amount} ${r.monthlySavings.currency}/month` : 'no figure',
    `${r.evidence.statistic} ${r.evidence.value} (threshold ${r.evidence.threshold})`,
  ]);
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] as string).length))) ?? [];
  for (const r of rows)
    console.log(
      r
        .map((c, i) => c.padEnd(widths[i] as number))
        .join('  ')
        .trimEnd(),
    );
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`error: ${(error as Error).message}`);
    process.exit(1);
  },
);

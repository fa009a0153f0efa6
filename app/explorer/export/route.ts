import { PassThrough, Readable } from 'node:stream';
import { apiErrorResponse } from '@/lib/api-error';
import { recordAudit } from '@/lib/audit/record';
import { authorizeRoute } from '@/lib/auth/session';
import { csvDownloadHeaders, csvStream } from '@/lib/csv-export';
import { getPool } from '@/lib/db/pool';
import { explorerExportTable } from '@/lib/explorer/export';
import { explorerSearch, parseExplorerSearchParams } from '@/lib/explorer/url';
import { writeXlsx } from '@/lib/exports/xlsx';

/**
 * The explorer's current view as CSV or XLSX (finance and admins): the page's URL parameters plus
 * `format`. Rows stream from a database cursor; a link the page would only partly use is refused,
 * since an export must hold exactly what was asked for. Every download is in the audit trail.
 */
export async function GET(request: Request): Promise<Response> {
  const auth = await authorizeRoute(request, 'GET /explorer/export');
  if (auth instanceof Response) return auth;
  const url = new URL(request.url);
  const format = url.searchParams.get('format') ?? 'csv';
  if (format !== 'csv' && format !== 'xlsx') {
    return apiErrorResponse({
      status: 400,
      code: 'BAD_FORMAT',
      message: 'format must be csv or xlsx.',
      cause: `explorer export format ${format}`,
    });
  }
  const raw: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    if (key === 'format') continue;
    const all = url.searchParams.getAll(key);
    raw[key] = all.length > 1 ? all : (all[0] as string);
  }
  const state = parseExplorerSearchParams(raw);
  if (state.problems.length) {
    return apiErrorResponse({
      status: 400,
      code: 'BAD_VIEW',
      message: `The export was not made; fix these settings: ${state.problems.join('; ')}.`,
      cause: `explorer export ${url.search}`,
    });
  }
  const q = state.query;
  await recordAudit(getPool(), {
    actor: auth.actor,
    action: 'export.download',
    objectType: 'explorer',
    detail: { format, view: explorerSearch(q) },
  });
  const table = explorerExportTable(q);
  const name = `burnrate-explorer-${q.range.from}-${q.range.to}`;
  if (format === 'csv') {
    const columns = table.columns;
    return new Response(
      csvStream(
        columns.map((c) => c.label),
        table.rows,
        (row) => columns.map((c) => row[c.key] ?? null),
      ),
      { headers: csvDownloadHeaders(name) },
    );
  }
  const out = new PassThrough();
  writeXlsx(table, out).catch((error) => {
    console.error(`[burnrate] explorer XLSX export failed: ${error instanceof Error ? error.message : String(error)}`);
    out.destroy(error instanceof Error ? error : new Error(String(error)));
  });
  const stamp = new Date().toISOString().slice(0, 19).replaceAll(':', '').replace('T', '-');
  return new Response(Readable.toWeb(out) as ReadableStream<Uint8Array>, {
    headers: {
      'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'content-disposition': `attachment; filename="${name}-${stamp}.xlsx"`,
      'cache-control': 'no-store',
    },
  });
}

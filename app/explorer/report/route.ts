import { apiErrorResponse } from '@/lib/api-error';
import { recordAudit } from '@/lib/audit/record';
import { authorizeRoute } from '@/lib/auth/session';
import { getPool } from '@/lib/db/pool';
import { renderMonthlyReportPdf } from '@/lib/exports/pdf';
import { getMonthlyReport } from '@/lib/queries/monthly-report';
import { MonthSchema } from '@/lib/schema';

/** A month's report as PDF (finance and admins), the one the scheduled email sends; in the audit trail. */
export async function GET(request: Request): Promise<Response> {
  const auth = await authorizeRoute(request, 'GET /explorer/report');
  if (auth instanceof Response) return auth;
  const month = MonthSchema.safeParse(new URL(request.url).searchParams.get('month'));
  if (!month.success) {
    return apiErrorResponse({
      status: 400,
      code: 'BAD_MONTH',
      message: `month ${month.error.issues[0]?.message}`,
      cause: 'explorer report month',
    });
  }
  const pdf = await renderMonthlyReportPdf(await getMonthlyReport(month.data));
  await recordAudit(getPool(), {
    actor: auth.actor,
    action: 'export.download',
    objectType: 'report',
    objectId: month.data,
    detail: { format: 'pdf' },
  });
  return new Response(new Uint8Array(pdf), {
    headers: {
      'content-type': 'application/pdf',
      'content-disposition': `attachment; filename="burnrate-report-${month.data}.pdf"`,
      'cache-control': 'no-store',
    },
  });
}

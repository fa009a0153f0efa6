import Link from 'next/link';
import { describeRule, loadSharedCostRules, ruleFormText, type SharedCostRule } from '@/lib/allocation/rules';
import { can } from '@/lib/auth/permissions';
import { requirePage } from '@/lib/auth/session';
import { addMonths, monthEnd, monthOf, utcToday } from '@/lib/calendar';
import { getPool } from '@/lib/db/pool';
import { explorerHref } from '@/lib/explorer/url';
import { formatDateTimeUtc } from '@/lib/format';
import { DeleteRuleButton } from './delete-rule-button';
import { SharedCostRuleForm } from './shared-cost-rule-form';

export const metadata = { title: 'Shared costs' };
export const dynamic = 'force-dynamic';

/**
 * Shared-cost rules (lib/allocation): pools of spend split across teams, applied by the explorer's
 * allocated view at query time. Everyone reads them; finance and admins preview, save and delete.
 */
export default async function SharedCostsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requirePage('/settings/allocation');
  if (!actor) return null;
  const rules = await loadSharedCostRules(getPool());
  const editable = can(actor.role, 'action', 'saveSharedCostRule');
  const editId = Number((await searchParams).edit);
  const editing: SharedCostRule | undefined = editable ? rules.find((r) => r.id === editId) : undefined;
  const thisMonth = monthOf(utcToday());
  const months = Array.from({ length: 13 }, (_, i) => addMonths(thisMonth, -1 - i));
  const last = months[0] as string;
  const allocatedByTeam = explorerHref({
    range: { from: `${last}-01`, to: monthEnd(last) },
    granularity: 'total',
    groupBy: 'team',
    metric: 'billed',
    filters: [],
    allocated: true,
  });
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Shared costs</h1>
          <p className="sub">
            Spend that belongs to no one team — untagged spend, a support plan, a shared account — split across teams evenly, by fixed
            percentages, or in proportion to each team's direct spend in the month. The explorer's allocated view applies these rules when
            it answers, per month and currency, to the cent: every share is exact, and the leftover cents go to the largest remainders, then
            by team name, so the teams add up to the original. Rules apply in order; spend belongs to the first rule it matches. Teams are
            the <Link href="/settings/tags">team tag rule</Link>'s values. <Link href={allocatedByTeam}>Last month, allocated by team</Link>
            .
          </p>
        </div>
      </div>
      <section className="panel" data-testid="allocation-rules">
        <div className="panel-head">
          <h2>Rules, in order</h2>
        </div>
        {rules.length === 0 ? (
          <p className="sub" data-testid="allocation-rules-empty">
            No shared-cost rules: the allocated view shows spend as tagged.
          </p>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th>#</th>
                <th>Name</th>
                <th>Rule</th>
                <th>Set</th>
                {editable ? <th /> : null}
              </tr>
            </thead>
            <tbody>
              {rules.map((r, i) => (
                <tr key={r.id} data-testid="allocation-rule" data-name={r.name}>
                  <td>{i + 1}</td>
                  <td className="cell-main">{r.name}</td>
                  <td>{describeRule(r)}</td>
                  <td className="cell-sub">
                    {r.updatedBy ? `${r.updatedBy}, ` : ''}
                    {r.updatedAt ? formatDateTimeUtc(r.updatedAt) : ''}
                  </td>
                  {editable ? (
                    <td>
                      <Link href={`/settings/allocation?edit=${r.id}`}>Edit</Link> <DeleteRuleButton id={r.id} name={r.name} />
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {editable ? (
        <section className="panel" data-testid="allocation-editor">
          <div className="panel-head">
            <h2>{editing ? `Edit “${editing.name}”` : 'New rule'}</h2>
            {editing ? <Link href="/settings/allocation">New rule instead</Link> : null}
          </div>
          <SharedCostRuleForm
            key={editing?.id ?? 'new'}
            months={months}
            saved={
              editing
                ? {
                    id: editing.id,
                    name: editing.name,
                    poolDimension: editing.poolDimension,
                    method: editing.method,
                    ...ruleFormText(editing),
                  }
                : { id: null, name: '', poolDimension: 'untagged', poolValues: '', method: 'proportional', targets: '' }
            }
          />
        </section>
      ) : null}
    </>
  );
}

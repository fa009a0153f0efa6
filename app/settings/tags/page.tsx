import Link from 'next/link';
import { can } from '@/lib/auth/permissions';
import { requirePage } from '@/lib/auth/session';
import { addMonths, monthEnd, monthOf, utcToday } from '@/lib/calendar';
import { getPool } from '@/lib/db/pool';
import { CONCEPT_DIMENSIONS, TAG_CONCEPTS, type TagConcept } from '@/lib/explorer/dimensions';
import { runExplorerQuery } from '@/lib/explorer/query';
import { explorerHref } from '@/lib/explorer/url';
import { formatDateTimeUtc, formatMoney, formatMonthLong } from '@/lib/format';
import { loadTagRules, ruleFormText, type TagRule } from '@/lib/tags/rules';
import { TagRuleForm } from './tag-rule-form';

export const metadata = { title: 'Tag rules' };
export const dynamic = 'force-dynamic';

function RuleSummary({ rule }: { rule: TagRule }) {
  return (
    <dl className="cell-sub" data-testid={`tag-rule-view-${rule.concept}`}>
      <dt>Tag keys, first present wins</dt>
      <dd data-testid={`tag-rule-keys-${rule.concept}`}>{rule.keys.join(', ')}</dd>
      <dt>Values</dt>
      <dd>{rule.caseFold ? 'case-folded (lower case)' : 'as tagged'}</dd>
      <dt>Value mappings</dt>
      <dd>{rule.mappings.length ? rule.mappings.map((m) => `${m.from} → ${m.to}`).join('; ') : 'none'}</dd>
    </dl>
  );
}

/**
 * Tag rules (lib/tags/rules.ts): which tag keys mean team, environment and cost centre, applied by
 * the explorer and the monthly report at query time. Everyone reads them; finance and admins edit.
 * Each concept previews the last complete month's billed cost per value under the saved rule.
 */
export default async function TagRulesPage() {
  const actor = await requirePage('/settings/tags');
  if (!actor) return null;
  const pool = getPool();
  const month = addMonths(monthOf(utcToday()), -1);
  const range = { from: `${month}-01`, to: monthEnd(month) };
  const rules = await loadTagRules(pool);
  const previews = await Promise.all(
    TAG_CONCEPTS.map((c) => runExplorerQuery(pool, { range, granularity: 'total', groupBy: c, metric: 'billed' })),
  );
  const editable = can(actor.role, 'action', 'saveTagRule');
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Tag rules</h1>
          <p className="sub">
            Which tag keys mean a team, an environment and a cost centre, whether their values are case-folded, and which spellings mean the
            same value. The explorer (group by or filter on Team, Environment, Cost centre) and the monthly report apply the saved rule when
            they answer, so a change shows at once on every past month. Spend with none of the keys is shown as untagged, never hidden. A
            concept without a rule is the tag key of its own name. Also in Settings: <Link href="/settings/fx">FX rates</Link>
            {can(actor.role, 'page', '/settings/email') ? (
              <>
                , <Link href="/settings/email">email</Link>
              </>
            ) : null}
            .
          </p>
        </div>
      </div>
      {TAG_CONCEPTS.map((concept: TagConcept, i) => {
        const rule = rules[concept];
        const label = CONCEPT_DIMENSIONS[concept].label;
        const preview = previews[i];
        return (
          <section key={concept} className="panel" data-testid={`tag-rule-${concept}`}>
            <div className="panel-head">
              <h2>{label}</h2>
              <span className="meta">
                {rule.updatedAt
                  ? `set ${rule.updatedBy ? `by ${rule.updatedBy}, ` : ''}${formatDateTimeUtc(rule.updatedAt)}`
                  : `no rule: the tag key ${concept}`}
              </span>
            </div>
            {editable ? (
              <TagRuleForm saved={{ concept, label, caseFold: rule.caseFold, ...ruleFormText(rule) }} />
            ) : (
              <RuleSummary rule={rule} />
            )}
            <h3>
              {formatMonthLong(month)}, billed cost by {label.toLowerCase()}{' '}
              <Link href={explorerHref({ range, granularity: 'total', groupBy: concept, metric: 'billed', filters: [] })}>
                in the explorer
              </Link>
            </h3>
            {!preview || preview.rows.length === 0 ? (
              <p className="sub" data-testid={`tag-preview-empty-${concept}`}>
                No spend in {formatMonthLong(month)}.
              </p>
            ) : (
              <table className="table" data-testid={`tag-preview-${concept}`}>
                <thead>
                  <tr>
                    <th>{label}</th>
                    {preview.totals.map((t) => (
                      <th key={t.unit} className="num">
                        {t.unit}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {preview.rows.map((r) => (
                    <tr key={r.key} data-testid="tag-preview-row" data-key={r.key}>
                      <td className="cell-main">{r.label}</td>
                      {preview.totals.map((t) => {
                        const a = r.amounts.find((x) => x.unit === t.unit);
                        return (
                          <td key={t.unit} className="num" data-unit={t.unit}>
                            {a ? formatMoney(a.amount, a.unit) : '—'}
                          </td>
                        );
                      })}
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        );
      })}
    </>
  );
}

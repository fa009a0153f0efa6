import Link from 'next/link';
import { requirePage } from '@/lib/auth/session';
import { formatDateTimeUtc } from '@/lib/format';
import { getRuleSettings } from '@/lib/queries/rule-settings';
import { KIND_LABELS } from '@/lib/recommendations/labels';
import { RULES } from '@/lib/recommendations/rules';
import { RuleSettingsForm } from './rule-form';

export const metadata = { title: 'Recommendation rules' };
export const dynamic = 'force-dynamic';

/** Admins set every rule's parameters (lib/recommendations/rules/index.ts); each shows its default and where it comes from. */
export default async function RecommendationSettingsPage() {
  const actor = await requirePage('/settings/recommendations');
  if (!actor) return null;
  const stored = await getRuleSettings(RULES);
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Recommendation rules</h1>
          <p className="sub">
            The thresholds each rule applies. A blank value uses the default; changes apply from the next recomputation (after each billing
            ingest and metrics sync), and every recommendation shows the values it was computed with. Also in Settings:{' '}
            <Link href="/settings/sso">single sign-on</Link>, <Link href="/settings/email">email</Link>,{' '}
            <Link href="/settings/tags">tag rules</Link>.
          </p>
        </div>
      </div>
      {RULES.map((rule) => {
        const perRule = stored.get(rule.id);
        return (
          <section key={rule.id} className="panel" data-testid={`rule-${rule.id}`}>
            <div className="panel-head">
              <h2>{rule.label}</h2>
              <span className="meta">{rule.kinds.map((k) => KIND_LABELS[k]).join(', ')}</span>
            </div>
            <p className="sub">{rule.description}</p>
            <RuleSettingsForm
              rule={rule.id}
              parameters={rule.parameters.map((p) => {
                const s = perRule?.get(p.key);
                return {
                  key: p.key,
                  label: p.label,
                  unit: p.unit,
                  default: p.default,
                  min: p.min,
                  max: p.max,
                  help: p.help,
                  stored: typeof s?.value === 'number' ? s.value : null,
                  setBy: s ? `${s.updatedBy ? `by ${s.updatedBy}, ` : ''}${formatDateTimeUtc(s.updatedAt)}` : null,
                };
              })}
            />
          </section>
        );
      })}
    </>
  );
}

import Link from 'next/link';
import { notFound } from 'next/navigation';
import { Fragment } from 'react';
import { mayRun, requirePage } from '@/lib/auth/session';
import { addDays, utcToday } from '@/lib/calendar';
import { formatDateTimeUtc, formatMeasure, formatMoney, type Money } from '@/lib/format';
import { METRICS } from '@/lib/metrics/names';
import { type EvidenceSeries, getEvidenceSeries, getRecommendation, type RecommendationDetail } from '@/lib/queries/recommendations';
import { KIND_LABELS } from '@/lib/recommendations/labels';
import { RULES } from '@/lib/recommendations/rules';
import type { TypeEvidence } from '@/lib/recommendations/types';
import { EvidenceChart } from '../_components/evidence-chart';
import { LifecycleForms } from '../_components/lifecycle-forms';
import styles from '../_components/recommendations.module.css';
import { StatusBadge } from '../_components/status-badge';

export const metadata = { title: 'Recommendation' };
export const dynamic = 'force-dynamic';

function money(m: Money | null, empty = '—') {
  return m ? formatMoney(m.amount, m.currency) : empty;
}

/** The unit a statistic is in: the metric's, or the one its name says (age_days → days). */
function statisticUnit(rec: RecommendationDetail): string {
  const metric = rec.evidence.metric;
  if (metric) return METRICS[metric].unit;
  const m = /_(days|hours)$/.exec(rec.evidence.statistic);
  return m ? (m[1] as string) : '';
}

function TypeColumn({ t }: { t: TypeEvidence | null }) {
  if (!t) return <td className="cell-sub">—</td>;
  const s = t.spec;
  return (
    <td>
      <div className="cell-main">{t.type}</div>
      {s ? (
        <div className="cell-sub">
          {s.vcpus} vCPU · {formatMeasure(s.memoryMib * 1024 * 1024, 'bytes')} · {s.arch} · {s.family}
          {s.currentGeneration ? '' : ' (previous generation)'}
          {s.gpuCount > 0
            ? ` · ${s.gpuCount} × ${s.gpuModel ?? 'GPU'}${s.gpuMemoryMib ? ` ${formatMeasure(s.gpuMemoryMib * 1024 * 1024, 'bytes')}` : ''}`
            : ''}
        </div>
      ) : (
        <div className="cell-sub">not in the catalog</div>
      )}
      <div className="cell-sub">
        {t.price ? `${formatMoney(t.price.hourly, t.price.currency)} an hour on demand (${t.price.source})` : 'no catalog price here'}
      </div>
    </td>
  );
}

function Evidence({ rec, series }: { rec: RecommendationDetail; series: EvidenceSeries | null }) {
  const e = rec.evidence;
  const unit = statisticUnit(rec);
  return (
    <section className="panel" data-testid="evidence">
      <div className="panel-head">
        <h2>Evidence</h2>
        {e.window ? (
          <span className="meta">
            {formatDateTimeUtc(new Date(e.window.start))} – {formatDateTimeUtc(new Date(e.window.end))}
          </span>
        ) : (
          <span className="meta">from the bills and the inventory</span>
        )}
      </div>
      <dl className="facts">
        <dt>Statistic</dt>
        <dd data-testid="evidence-statistic">
          {e.statistic}
          {e.metric ? ` of ${METRICS[e.metric].label.toLowerCase()}` : ''}: <strong>{formatMeasure(e.value, unit)}</strong> against a
          threshold of {formatMeasure(e.threshold, unit)}
        </dd>
        <dt>Data coverage</dt>
        <dd data-testid="evidence-coverage">
          {e.coverageHours === null ? 'not applicable (no metric read)' : `${e.coverageHours} hours with data`}
        </dd>
        {Object.entries(e.details).map(([k, v]) => (
          <Fragment key={k}>
            <dt>{k}</dt>
            <dd>{v === null ? '—' : String(v)}</dd>
          </Fragment>
        ))}
      </dl>
      {e.notes.length ? (
        <ul className={styles.notes} data-testid="evidence-notes">
          {e.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      ) : null}
      {e.metric && e.window ? (
        series?.points.length ? (
          <EvidenceChart
            label={series.gpus > 1 ? `${METRICS[e.metric].label}, mean of the machine's ${series.gpus} GPUs` : METRICS[e.metric].label}
            unit={METRICS[e.metric].unit}
            source={series.source}
            points={series.points}
            threshold={e.threshold}
            thresholdLabel={`threshold ${formatMeasure(e.threshold, unit)}`}
          />
        ) : (
          <p className="cell-sub" data-testid="evidence-no-series">
            The samples of this window are no longer stored.
          </p>
        )
      ) : null}
    </section>
  );
}

function History({ rec }: { rec: RecommendationDetail }) {
  return (
    <section className="panel" data-testid="history">
      <div className="panel-head">
        <h2>Status and history</h2>
        <StatusBadge status={rec.status} snoozedUntil={rec.snoozedUntil} />
      </div>
      <dl className="facts">
        <dt>First detected</dt>
        <dd>{formatDateTimeUtc(rec.firstDetectedAt)}</dd>
        <dt>Last detected</dt>
        <dd>{formatDateTimeUtc(rec.lastDetectedAt)}</dd>
        {rec.statusChangedAt ? (
          <>
            <dt>Status set</dt>
            <dd>
              {formatDateTimeUtc(rec.statusChangedAt)}
              {rec.statusChangedBy ? ` by ${rec.statusChangedBy}` : ''}
            </dd>
          </>
        ) : null}
        {rec.dismissReason ? (
          <>
            <dt>Dismissed because</dt>
            <dd data-testid="dismiss-reason">{rec.dismissReason}</dd>
          </>
        ) : null}
        {rec.resolvedAt ? (
          <>
            <dt>Resolved</dt>
            <dd>
              {formatDateTimeUtc(rec.resolvedAt)}
              {rec.resolvedReason ? `: ${rec.resolvedReason}` : ''}
            </dd>
          </>
        ) : null}
      </dl>
      {rec.history.length ? (
        <div className="table-scroll">
          <table className="table" data-testid="history-table">
            <thead>
              <tr>
                <th>When (UTC)</th>
                <th>Who</th>
                <th>Change</th>
                <th>Outcome</th>
              </tr>
            </thead>
            <tbody>
              {rec.history.map((h) => (
                <tr key={h.id} data-testid="history-row" data-action={h.action} data-outcome={h.outcome}>
                  <td className="nowrap">{formatDateTimeUtc(h.at)}</td>
                  <td>{h.actorEmail ?? h.actorDetail ?? h.actorKind}</td>
                  <td>{h.action.replace(/^recommendation\./, '')}</td>
                  <td>{h.outcome}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="cell-sub">No one has changed its status yet.</p>
      )}
    </section>
  );
}

export default async function RecommendationPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requirePage('/recommendations/[id]');
  if (!actor) return null;
  const { id } = await params;
  const rec = await getRecommendation(id);
  if (!rec) notFound();
  const e = rec.evidence;
  const series =
    e.metric && e.window && rec.resourcePk
      ? await getEvidenceSeries({
          resourcePk: rec.resourcePk,
          metric: e.metric,
          start: new Date(e.window.start),
          end: new Date(e.window.end),
        })
      : null;
  const canChange = mayRun(actor, 'acceptRecommendation');
  const rule = RULES.find((r) => r.kinds.includes(rec.kind));
  const today = utcToday();
  return (
    <>
      <div className="page-head">
        <div>
          <p className="sub">
            <Link href="/recommendations">Recommendations</Link> · {KIND_LABELS[rec.kind]}
          </p>
          <h1 data-testid="recommendation-action">{rec.action}</h1>
          <p className="sub">
            <span className={styles.mono} data-testid="recommendation-resource">
              {rec.resourceId}
            </span>
            {rec.subResourceId ? ` · GPU ${rec.subResourceId}` : ''} · {rec.provider}
            {rec.accountId ? ` · account ${rec.accountId}` : ''}
            {rec.regionId ? ` · ${rec.regionId}` : ''}
            {rec.team ? ` · team ${rec.team}` : ''}
            {rec.resourceName ? ` · ${rec.resourceName}` : ''}
            {rec.resourceGoneAt
              ? ` · gone since ${formatDateTimeUtc(rec.resourceGoneAt)}`
              : rec.resourceState
                ? ` · ${rec.resourceState}`
                : ''}
          </p>
        </div>
      </div>

      <div className="cards">
        <section className="card" data-testid="estimated-savings">
          <h2 className="card-title">Estimated savings, per month</h2>
          <div className="figure num">{money(rec.monthlySavings, 'not priced')}</div>
          <div className="figure-sub">of {money(rec.monthlyCost, 'an unknown cost')} this resource cost over the last 30 days</div>
        </section>
        <section className="card" data-testid="realized">
          <h2 className="card-title">Realized savings, per month</h2>
          {rec.realizedMonthlySavings ? (
            <>
              <div className="figure num" data-testid="realized-monthly">
                {money(rec.realizedMonthlySavings)}
              </div>
              <div className="figure-sub" data-testid="realized-daily">
                {money(rec.realizedDailySavings)} a day: {money(rec.baselineDailyCost)} a day in the 30 days before acceptance, less the
                cost per day in the bills since
              </div>
            </>
          ) : rec.status === 'accepted' ? (
            <div className="figure-sub" data-testid="realized-pending">
              Waiting for bills after the acceptance. Baseline: {money(rec.baselineDailyCost, 'none (no charges in the 30 days before)')} a
              day.
            </div>
          ) : (
            <div className="figure-sub">Measured once the recommendation is accepted and later bills arrive.</div>
          )}
        </section>
      </div>

      <section className="panel">
        <div className="panel-head">
          <h2>Decide</h2>
        </div>
        {canChange ? (
          rec.status === 'resolved' ? (
            <p className="cell-sub">Resolved by later data: there is nothing to decide.</p>
          ) : (
            <LifecycleForms id={rec.id} status={rec.status} tomorrow={addDays(today, 1)} />
          )
        ) : (
          <p className="cell-sub" data-testid="read-only">
            Your role reads recommendations; engineers and admins accept, snooze or dismiss them.
          </p>
        )}
      </section>

      <Evidence rec={rec} series={series} />

      {e.current || e.proposed ? (
        <section className="panel" data-testid="types">
          <div className="panel-head">
            <h2>Current and proposed type</h2>
          </div>
          <table className="table">
            <thead>
              <tr>
                <th>Current</th>
                <th>Proposed</th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <TypeColumn t={e.current} />
                <TypeColumn t={e.proposed} />
              </tr>
            </tbody>
          </table>
        </section>
      ) : null}

      <section className="panel" data-testid="parameters">
        <div className="panel-head">
          <h2>Rule parameters{rule ? ` · ${rule.label}` : ''}</h2>
          <span className="meta">as they were when this was computed</span>
        </div>
        <dl className="facts">
          {Object.entries(rec.parameters).map(([k, v]) => {
            const p = rule?.parameters.find((x) => x.key === k);
            return (
              <Fragment key={k}>
                <dt title={p?.help}>{p ? p.label : k}</dt>
                <dd data-testid={`parameter-${k}`} data-value={v}>
                  {p ? formatMeasure(v, p.unit) : String(v)}
                  {p && v !== p.default ? <span className="cell-sub"> (default {formatMeasure(p.default, p.unit)})</span> : null}
                </dd>
              </Fragment>
            );
          })}
        </dl>
      </section>

      <History rec={rec} />
    </>
  );
}

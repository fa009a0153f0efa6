import Form from 'next/form';
import Link from 'next/link';
import type { FilterOptions, RecommendationFilters } from '@/lib/queries/recommendations';
import { KIND_LABELS, STATUS_LABELS } from '@/lib/recommendations/labels';
import { RECOMMENDATION_KINDS, RECOMMENDATION_STATUSES } from '@/lib/recommendations/types';
import styles from './recommendations.module.css';

function Choice({
  id,
  name,
  label,
  value,
  options,
}: {
  id: string;
  name: string;
  label: string;
  value: string | undefined;
  options: readonly { value: string; label: string }[];
}) {
  return (
    <div className={styles.field}>
      <label htmlFor={id} className={styles.label}>
        {label}
      </label>
      <select id={id} name={name} defaultValue={value ?? ''} className={styles.input}>
        <option value="">any</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

const plain = (values: readonly string[]) => values.map((v) => ({ value: v, label: v }));

/** The filters as a GET form: every filter lives in the URL, so a filtered view can be linked and exported. */
export function RecommendationFilterForm({ filters, options }: { filters: RecommendationFilters; options: FilterOptions }) {
  return (
    <section className="panel">
      <Form action="/recommendations" className={styles.filters} aria-label="Filter recommendations" data-testid="recommendation-filters">
        <div className={styles.field}>
          <label htmlFor="rec-status" className={styles.label}>
            Status
          </label>
          <select id="rec-status" name="status" defaultValue={filters.status ?? 'all'} className={styles.input}>
            <option value="all">any</option>
            {RECOMMENDATION_STATUSES.map((s) => (
              <option key={s} value={s}>
                {STATUS_LABELS[s]}
              </option>
            ))}
          </select>
        </div>
        <Choice
          id="rec-kind"
          name="kind"
          label="Kind"
          value={filters.kind}
          options={RECOMMENDATION_KINDS.map((k) => ({ value: k, label: KIND_LABELS[k] }))}
        />
        <Choice id="rec-provider" name="provider" label="Provider" value={filters.provider} options={plain(options.providers)} />
        <Choice id="rec-account" name="account" label="Account" value={filters.account} options={plain(options.accounts)} />
        <Choice id="rec-region" name="region" label="Region" value={filters.region} options={plain(options.regions)} />
        <Choice id="rec-team" name="team" label="Team" value={filters.team} options={plain(options.teams)} />
        <div className={styles.actions}>
          <button type="submit" className="btn">
            Filter
          </button>
          <Link href="/recommendations" className="btn">
            Clear
          </Link>
        </div>
      </Form>
    </section>
  );
}

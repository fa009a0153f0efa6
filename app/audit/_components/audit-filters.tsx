import Form from 'next/form';
import Link from 'next/link';
import type { AuditFilters } from '@/lib/audit/query';
import { AUDIT_OUTCOMES } from '@/lib/audit/record';
import styles from './audit.module.css';

/** The filters as a GET form: every filter lives in the URL, so a filtered view can be linked and exported. */
export function AuditFilterForm({ filters }: { filters: AuditFilters }) {
  return (
    <section className="panel">
      <Form action="/audit" className={styles.filters} aria-label="Filter the audit trail" data-testid="audit-filters">
        <div className={styles.field}>
          <label htmlFor="audit-actor">User</label>
          <input id="audit-actor" name="actor" defaultValue={filters.actor ?? ''} placeholder="email or user id" size={24} />
        </div>
        <div className={styles.field}>
          <label htmlFor="audit-action">Action</label>
          <input id="audit-action" name="action" defaultValue={filters.action ?? ''} placeholder="source. or source.update" size={20} />
        </div>
        <div className={styles.field}>
          <label htmlFor="audit-object-type">Object</label>
          <input id="audit-object-type" name="objectType" defaultValue={filters.objectType ?? ''} placeholder="source" size={10} />
        </div>
        <div className={styles.field}>
          <label htmlFor="audit-object-id">Object id</label>
          <input id="audit-object-id" name="objectId" defaultValue={filters.objectId ?? ''} placeholder="12" size={8} />
        </div>
        <div className={styles.field}>
          <label htmlFor="audit-outcome">Outcome</label>
          <select id="audit-outcome" name="outcome" defaultValue={filters.outcome ?? ''}>
            <option value="">any</option>
            {AUDIT_OUTCOMES.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </div>
        <div className={styles.field}>
          <label htmlFor="audit-from">From (UTC)</label>
          <input id="audit-from" type="date" name="from" defaultValue={filters.from ?? ''} />
        </div>
        <div className={styles.field}>
          <label htmlFor="audit-to">To (UTC)</label>
          <input id="audit-to" type="date" name="to" defaultValue={filters.to ?? ''} />
        </div>
        <div className={styles.actions}>
          <button type="submit" className="btn">
            Filter
          </button>
          <Link href="/audit" className="btn">
            Clear
          </Link>
        </div>
      </Form>
    </section>
  );
}

import Link from 'next/link';
import { DEFAULT_SYNC_SCHEDULE } from '@/jobs/schedule';
import { requirePage } from '@/lib/auth/session';
import { sourceKindForms } from '@/lib/inventory/registry';
import { canStoreSecrets } from '@/lib/queries/sources';
import { SourceForm } from '../_components/source-form';
import styles from '../_components/sources.module.css';

export const metadata = { title: 'Add source' };
export const dynamic = 'force-dynamic';

export default async function NewSourcePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePage('/sources/new');
  const raw = (await searchParams).kind;
  const kindId = Array.isArray(raw) ? raw[0] : raw;
  const specs = sourceKindForms();
  const spec = specs.find((k) => k.kind.kind === kindId) ?? specs[0];
  if (!spec) throw new Error('no connector kinds are registered');
  const kind = spec.kind;
  return (
    <>
      <div className="page-head">
        <div>
          <p className={styles.back}>
            <Link href="/sources">← Sources</Link>
          </p>
          <h1>Add source</h1>
          <p className="sub">
            A connector reads the billing exports your cloud writes to storage, on a schedule; an inventory source lists what runs and how
            busy it is, every hour.
          </p>
        </div>
        <nav className="segmented" aria-label="Connector kind">
          {specs.map(({ kind: k }) => (
            <Link
              key={k.kind}
              href={`/sources/new?kind=${k.kind}`}
              aria-current={k.kind === kind.kind ? 'true' : undefined}
              data-testid={`kind-${k.kind}`}
            >
              {k.label}
            </Link>
          ))}
        </nav>
      </div>
      <section className="panel">
        <div className="panel-head">
          <h2>{kind.label}</h2>
        </div>
        <SourceForm
          key={kind.kind}
          kind={kind}
          inventory={spec.inventory}
          inventoryOnly={spec.inventoryOnly}
          secretKeyConfigured={canStoreSecrets().ok}
          defaultSchedule={DEFAULT_SYNC_SCHEDULE}
        />
      </section>
    </>
  );
}

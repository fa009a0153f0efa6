import Link from 'next/link';
import { DEFAULT_SYNC_SCHEDULE } from '@/jobs/schedule';
import { requirePage } from '@/lib/auth/session';
import { CONNECTOR_KIND_IDS, ConnectorKindIdSchema, connectorKindForms } from '@/lib/connectors/registry';
import { canStoreSecrets } from '@/lib/queries/sources';
import { SourceForm } from '../_components/source-form';
import styles from '../_components/sources.module.css';

export const metadata = { title: 'Add source' };
export const dynamic = 'force-dynamic';

export default async function NewSourcePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePage('/sources/new');
  const raw = (await searchParams).kind;
  const parsed = ConnectorKindIdSchema.safeParse(Array.isArray(raw) ? raw[0] : raw);
  const kindId = parsed.success ? parsed.data : CONNECTOR_KIND_IDS[0];
  const kinds = connectorKindForms();
  const kind = kinds.find((k) => k.kind === kindId) ?? kinds[0];
  if (!kind) throw new Error('no connector kinds are registered');
  return (
    <>
      <div className="page-head">
        <div>
          <p className={styles.back}>
            <Link href="/sources">← Sources</Link>
          </p>
          <h1>Add source</h1>
          <p className="sub">A connector reads the billing exports your cloud writes to storage, on a schedule.</p>
        </div>
        <nav className="segmented" aria-label="Connector kind">
          {kinds.map((k) => (
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
        <SourceForm key={kind.kind} kind={kind} secretKeyConfigured={canStoreSecrets().ok} defaultSchedule={DEFAULT_SYNC_SCHEDULE} />
      </section>
    </>
  );
}

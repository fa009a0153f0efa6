// The /audit table rendered to HTML from literal lines: when in UTC with seconds, who, from where,
// the action, the object, the outcome, and what changed as "field: before → after", credentials
// named only.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { AuditTable } from '../app/audit/_components/audit-table';
import type { AuditRow } from '../lib/audit/query';

const BASE: Omit<AuditRow, 'id' | 'action'> = {
  at: new Date('2026-12-03T11:52:38.123Z'),
  actorKind: 'user',
  actorUserId: 'u_ada',
  actorEmail: 'ada@example.test',
  actorDetail: null,
  ip: '192.0.2.44',
  objectType: 'source',
  objectId: '12',
  outcome: 'ok',
  before: null,
  after: null,
  detail: null,
};

function text(html: string): string {
  return html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/\s+/g, ' ')
    .trim();
}

describe('AuditTable', () => {
  it('shows an edit readable: who, from where, the changed fields with both values, credentials by name, links to filters', () => {
    const html = renderToStaticMarkup(
      createElement(AuditTable, {
        rows: [
          {
            ...BASE,
            id: '2',
            action: 'source.update',
            before: { name: 'aws', schedule: null, config: { prefix: 'cur' } },
            after: { name: 'aws', schedule: '0 * * * *', config: { prefix: 'cur2' } },
            detail: { changed: ['config.prefix', 'schedule', 'credentials'], note: 'credentials replaced' },
          },
          {
            ...BASE,
            id: '1',
            action: 'auth.sign_in_failed',
            actorKind: 'anonymous',
            actorUserId: null,
            actorEmail: null,
            objectType: null,
            objectId: null,
            outcome: 'refused',
            ip: '198.51.100.7',
          },
        ],
      }),
    );
    const rows = html.split('<tr').slice(2).map(text);
    expect(rows).toEqual([
      'data-testid="audit-row" data-action="source.update" data-outcome="ok"> 2026-12-03 11:52:38 UTC ada@example.test 192.0.2.44 source.update source 12 ok config.prefix : cur → cur2 schedule : empty → 0 * * * * credentials note : credentials replaced',
      'data-testid="audit-row" data-action="auth.sign_in_failed" data-outcome="refused"> 2026-12-03 11:52:38 UTC not signed in 198.51.100.7 auth.sign_in_failed — refused —',
    ]);
    expect(html).toContain('href="/audit?actor=u_ada"');
    expect(html).toContain('href="/audit?action=source.update"');
    expect(html).toContain('href="/audit?objectType=source&amp;objectId=12"');
  });
});

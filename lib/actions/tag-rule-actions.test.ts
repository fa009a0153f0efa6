// /settings/tags' action called as its page calls it (a finance user's session, the form) on a real
// PostgreSQL: a rule is stored normalized, a bad line is refused naming its field and line with
// nothing saved, and each save that changes something is one audit line with before and after.
// Other roles are refused by the permission table test, which walks every action as every role.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { expectError, expectSuccess, form } from '../../tests/helpers/actions';
import { as, type TestUser, userWithRole } from '../../tests/helpers/auth';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import { IDLE } from './safe-action';
import { saveTagRule } from './save-tag-rule';

vi.mock('next/cache', () => ({ revalidatePath: vi.fn() }));

let url: string;
let finance: TestUser;
beforeAll(async () => {
  url = await useTestDatabase();
  finance = await userWithRole('finance');
});

describe('saveTagRule', () => {
  it('stores the rule, refuses a bad line naming it, and audits each change', async () => {
    const save = as(finance, saveTagRule);
    const bad = expectError(await save(IDLE, form({ concept: 'team', keys: 'team', caseFold: 'on', mappings: 'ML => ml\nweb' })));
    expect(bad.message).toBe('Nothing was saved. Value mappings, line 2: write "from => to" (got "web")');
    expect(bad.fieldErrors.mappings).toEqual(['Value mappings, line 2: write "from => to" (got "web")']);
    expect(await sql(url, 'SELECT concept FROM tag_rules')).toEqual([]);

    const ok = expectSuccess(
      await save(IDLE, form({ concept: 'team', keys: 'Team\nowner-team', caseFold: 'on', mappings: 'Machine-Learning => ML' })),
    );
    expect(ok.message).toBe('Saved the team rule (caseFold, keys, mappings). Every month shows it at once.');
    expect(await sql(url, 'SELECT concept, keys, case_fold, map_from, map_to, updated_by FROM tag_rules')).toEqual([
      {
        concept: 'team',
        keys: ['team', 'owner-team'],
        case_fold: true,
        map_from: ['machine-learning'],
        map_to: ['ml'],
        updated_by: finance.email,
      },
    ]);
    // The same again: nothing changed, no line.
    expect(
      expectSuccess(
        await save(IDLE, form({ concept: 'team', keys: 'team\nowner-team', caseFold: 'on', mappings: 'machine-learning => ml' })),
      ).message,
    ).toBe('The team rule: nothing changed.');

    const lines = await sql(
      url,
      `SELECT action, object_type, object_id, outcome, actor_email, before, after FROM audit_log WHERE object_type = 'tag_rule' ORDER BY id`,
    );
    expect(lines).toEqual([
      {
        action: 'settings.update',
        object_type: 'tag_rule',
        object_id: 'team',
        outcome: 'refused',
        actor_email: finance.email,
        before: null,
        after: null,
      },
      {
        action: 'settings.update',
        object_type: 'tag_rule',
        object_id: 'team',
        outcome: 'ok',
        actor_email: finance.email,
        before: { keys: ['team'], caseFold: false, mappings: [] },
        after: { keys: ['team', 'owner-team'], caseFold: true, mappings: ['machine-learning => ml'] },
      },
    ]);
  });
});

// /settings/recommendations' action called as its page calls it (an admin's session, the form) on a
// real PostgreSQL: a value within the parameter's bounds is stored and used by the engine's
// parameter loader, a blank field restores the default, out-of-bounds or non-numbers are refused
// next to their field with nothing saved, and each save is one audit line with before and after.
// Other roles are refused by the permission table test, which walks every action as every role.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { expectError, expectSuccess, form } from '../../tests/helpers/actions';
import { as, type TestUser, userWithRole } from '../../tests/helpers/auth';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import { getPool } from '../db/pool';
import { loadRuleParams } from '../recommendations/params';
import { RULES } from '../recommendations/rules';
import { IDLE } from './safe-action';
import { saveRuleSettings } from './save-rule-settings';

vi.mock('next/cache', () => ({ revalidatePath: vi.fn() }));

let url: string;
let admin: TestUser;
beforeAll(async () => {
  url = await useTestDatabase();
  admin = await userWithRole('admin');
});

async function stored(): Promise<{ parameter: string; value: unknown; updated_by: string | null }[]> {
  return sql(url, `SELECT parameter, value, updated_by FROM rule_settings WHERE rule = 'idle-instance' ORDER BY parameter`);
}

describe('saveRuleSettings', () => {
  it('stores a value within bounds, which the engine then uses; a blank field is the default; each save is audited', async () => {
    const save = as(admin, saveRuleSettings);
    const ok = expectSuccess(await save(IDLE, form({ rule: 'idle-instance', 'param.cpuP95Max': '10', 'param.windowDays': '' })));
    expect(ok.message).toBe('Saved Idle instances: cpuP95Max. The next recomputation uses it.');
    expect(await stored()).toEqual([{ parameter: 'cpuP95Max', value: 10, updated_by: admin.email }]);
    const { values } = await loadRuleParams(getPool(), RULES);
    expect(values.get('idle-instance')).toMatchObject({ cpuP95Max: 10, windowDays: 7 });

    // Saving the same again changes nothing and writes no line.
    expect(expectSuccess(await save(IDLE, form({ rule: 'idle-instance', 'param.cpuP95Max': '10' }))).message).toBe(
      'Idle instances: nothing changed.',
    );
    // Blank: back to the default (the row goes).
    expectSuccess(await save(IDLE, form({ rule: 'idle-instance', 'param.cpuP95Max': '' })));
    expect(await stored()).toEqual([]);

    const lines = await sql<{
      action: string;
      object_type: string;
      object_id: string;
      actor_email: string;
      before: unknown;
      after: unknown;
    }>(url, `SELECT action, object_type, object_id, actor_email, before, after FROM audit_log WHERE object_type = 'rule' ORDER BY id`);
    expect(lines).toEqual([
      {
        action: 'settings.update',
        object_type: 'rule',
        object_id: 'idle-instance',
        actor_email: admin.email,
        before: { cpuP95Max: null },
        after: { cpuP95Max: 10 },
      },
      {
        action: 'settings.update',
        object_type: 'rule',
        object_id: 'idle-instance',
        actor_email: admin.email,
        before: { cpuP95Max: 10 },
        after: { cpuP95Max: null },
      },
    ]);
  });

  it('refuses values outside the bounds or not numbers, next to each field, and saves none of the form', async () => {
    const save = as(admin, saveRuleSettings);
    const refused = expectError(
      await save(IDLE, form({ rule: 'idle-instance', 'param.cpuP95Max': '51', 'param.windowDays': 'a week', 'param.minHours': '48' })),
    );
    expect(refused.message).toBe('Nothing was saved: some values are out of bounds.');
    // idle-instance's bounds: CPU p95 0–50 %, window 1–14 days.
    expect(refused.fieldErrors).toEqual({
      'param.windowDays': ['must be a number from 1 to 14'],
      'param.cpuP95Max': ['must be a number from 0 to 50'],
    });
    expect(await stored()).toEqual([]);
    expect(expectError(await save(IDLE, form({ rule: 'no-such-rule' }))).message).toBe('There is no rule no-such-rule.');
  });
});

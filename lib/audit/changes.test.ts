import { describe, expect, it } from 'vitest';
import { fieldChanges } from './changes';

describe('fieldChanges', () => {
  it('an edit: the fields its detail lists, with both sides; a field whose value is never stored has neither', () => {
    expect(
      fieldChanges({
        before: { name: 'aws', schedule: null, config: { prefix: 'cur', region: 'us-east-1' } },
        after: { name: 'aws', schedule: '0 * * * *', config: { prefix: 'cur2', region: 'us-east-1' } },
        detail: { changed: ['config.prefix', 'schedule', 'credentials'], note: 'credentials replaced' },
      }),
    ).toEqual([
      { field: 'config.prefix', before: 'cur', after: 'cur2' },
      { field: 'schedule', before: null, after: '0 * * * *' },
      { field: 'credentials', before: undefined, after: undefined },
    ]);
  });

  it('without a list, the difference of before and after; a creation lists every field of after, a deletion of before', () => {
    expect(fieldChanges({ before: { enabled: true }, after: { enabled: false }, detail: null })).toEqual([
      { field: 'enabled', before: true, after: false },
    ]);
    expect(fieldChanges({ before: null, after: { name: 'n', config: { bucket: 'b', tags: ['x'] }, extra: {} }, detail: null })).toEqual([
      { field: 'config.bucket', before: undefined, after: 'b' },
      { field: 'config.tags', before: undefined, after: ['x'] },
      { field: 'extra', before: undefined, after: {} },
      { field: 'name', before: undefined, after: 'n' },
    ]);
    expect(fieldChanges({ before: { name: 'gone' }, after: null, detail: { lineItemsDeleted: 3 } })).toEqual([
      { field: 'name', before: 'gone', after: undefined },
    ]);
    expect(fieldChanges({ before: null, after: null, detail: { jobId: 'j' } })).toEqual([]);
  });
});

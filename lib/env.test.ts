import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_RECORD_BYTES, readEnv } from './env';

describe('readEnv: the ingest limits', () => {
  it('defaults to 1 MiB per CSV record; the Parquet row group limit is unset (a share of the heap)', () => {
    const env = readEnv({});
    expect(env.BURNRATE_MAX_RECORD_BYTES).toBe(1_048_576);
    expect(DEFAULT_MAX_RECORD_BYTES).toBe(1_048_576);
    expect(env.BURNRATE_MAX_ROW_GROUP_BYTES).toBeUndefined();
  });

  it('reads them from the environment as whole byte counts', () => {
    const env = readEnv({ BURNRATE_MAX_RECORD_BYTES: '4194304', BURNRATE_MAX_ROW_GROUP_BYTES: '268435456' });
    expect(env.BURNRATE_MAX_RECORD_BYTES).toBe(4_194_304);
    expect(env.BURNRATE_MAX_ROW_GROUP_BYTES).toBe(268_435_456);
  });

  it('refuses values that are not byte counts in range, naming the variable', () => {
    expect(() => readEnv({ BURNRATE_MAX_RECORD_BYTES: '1MB' })).toThrow(/BURNRATE_MAX_RECORD_BYTES/);
    expect(() => readEnv({ BURNRATE_MAX_RECORD_BYTES: '100' })).toThrow(/BURNRATE_MAX_RECORD_BYTES: .*1024/);
    expect(() => readEnv({ BURNRATE_MAX_RECORD_BYTES: '2147483648' })).toThrow(/BURNRATE_MAX_RECORD_BYTES/);
    expect(() => readEnv({ BURNRATE_MAX_ROW_GROUP_BYTES: '-1' })).toThrow(/BURNRATE_MAX_ROW_GROUP_BYTES/);
  });
});

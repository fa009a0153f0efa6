// The value normalizers every reader shares, against literals.
import { describe, expect, it } from 'vitest';
import {
  currency,
  decimal,
  jsonObject,
  jsonText,
  normalizeTags,
  parseTags,
  pythonReprToJson,
  regionId,
  text,
  timestamp,
  utcDay,
  ValueError,
} from './normalize';

describe('text', () => {
  it.each([
    [undefined, null],
    [null, null],
    ['', null],
    ['   ', null],
    ['null', null],
    ['NULL', null],
    ['None', null],
    ['\\N', null],
    [' abc ', 'abc'],
    ['nullable', 'nullable'],
    ['0', '0'],
  ])('%j is %j', (value, expected) => {
    expect(text(value)).toBe(expected);
  });
});

describe('decimal', () => {
  it.each([
    ['12.50', '12.50'],
    ['+3', '3'],
    ['-0.000001', '-0.000001'],
    ['.5', '.5'],
    ['7.', '7.'],
    ['1.5E-3', '1.5E-3'],
    [' 42 ', '42'],
    ['', null],
    ['null', null],
  ])('%j is %j, kept as written for PostgreSQL to read exactly', (value, expected) => {
    expect(decimal(value)).toBe(expected);
  });

  it.each(['1,234.50', '12 345', '$5', '1.2.3', 'e5', '0x1A', 'abc'])('refuses %j, naming it', (value) => {
    expect(() => decimal(value)).toThrow(ValueError);
    expect(() => decimal(value)).toThrow(`not a decimal number: ${JSON.stringify(value)}`);
  });
});

describe('timestamp and utcDay', () => {
  it.each([
    ['2024-01-31', '2024-01-31T00:00:00Z'],
    ['2024-01-31T10:20:30Z', '2024-01-31T10:20:30Z'],
    ['2024-01-31 10:20:30.000+00:00', '2024-01-31T10:20:30Z'],
    ['2024-01-31 10:20:30.250Z', '2024-01-31T10:20:30.250Z'],
    ['2024-01-31 10:20:30 UTC', '2024-01-31T10:20:30Z'],
    ['2024-01-31T10:20:30+0530', '2024-01-31T10:20:30+05:30'],
    ['2024-01-31T10:20:30-08', '2024-01-31T10:20:30-08:00'],
    ['01/31/2024', '2024-01-31T00:00:00Z'],
    ['1/5/2024 3:04 PM', '2024-01-05T15:04:00Z'],
    ['1/5/2024 12:00 AM', '2024-01-05T00:00:00Z'],
    ['2024-01-31T24:00:00Z', '2024-02-01T00:00:00Z'],
    ['2024-02-29', '2024-02-29T00:00:00Z'],
  ])('%j is %j', (value, iso) => {
    expect(timestamp(value)).toBe(iso);
  });

  it.each(['2023-02-29', '2024-13-01', '2024-04-31', '31/01/2024', 'yesterday', '2024-01-01T10:60:00Z'])('refuses %j', (value) => {
    expect(() => timestamp(value)).toThrow(ValueError);
  });

  it('gives the UTC day of a timestamp, offsets included', () => {
    expect(utcDay('2024-01-31T23:59:59Z')).toBe('2024-01-31');
    expect(utcDay('2024-01-31T23:30:00-01:00')).toBe('2024-02-01');
    expect(utcDay('2024-02-01T00:30:00+05:30')).toBe('2024-01-31');
    expect(timestamp('')).toBeNull();
  });
});

describe('regionId and currency', () => {
  it('folds region spellings and drops the unassigned ones', () => {
    expect(regionId('East US')).toBe('eastus');
    expect(regionId('EastUS')).toBe('eastus');
    expect(regionId('us-east-1')).toBe('us-east-1');
    expect(regionId('Global')).toBe('global');
    expect(regionId('Unassigned')).toBeNull();
    expect(regionId('n/a')).toBeNull();
    expect(regionId('')).toBeNull();
  });

  it('upper-cases ISO 4217 codes and refuses anything else', () => {
    expect(currency('usd')).toBe('USD');
    expect(currency(' EUR ')).toBe('EUR');
    expect(currency('')).toBeNull();
    expect(() => currency('US$')).toThrow('not an ISO 4217 currency code: "US$"');
    expect(() => currency('EURO')).toThrow(ValueError);
  });
});

describe('tags', () => {
  it('reads JSON objects, Azure’s brace-less pairs and GCP’s key/value lists', () => {
    expect(parseTags('{"env":"prod","n":3,"x":null}')).toEqual({ env: 'prod', n: '3', x: '' });
    expect(parseTags('"env": "prod","team": "a"')).toEqual({ env: 'prod', team: 'a' });
    expect(parseTags(`[{'key': 'env', 'value': 'prod'}, {'key': 'cost-center', 'value': 42}]`)).toEqual({
      env: 'prod',
      'cost-center': '42',
    });
    expect(parseTags('[{"key":"env","value":"dev"}]')).toEqual({ env: 'dev' });
  });

  it('gives null for empty tags and an error naming unparseable text', () => {
    expect(parseTags('')).toBeNull();
    expect(parseTags('{}')).toBeNull();
    expect(parseTags('[]')).toBeNull();
    expect(() => parseTags('env=prod;team=a')).toThrow('tags are neither JSON nor key/value pairs: "env=prod;team=a"');
  });

  it('folds keys and trims values for grouping', () => {
    expect(normalizeTags({ ' Env ': ' Prod ', Team: 'a', '  ': 'dropped' })).toEqual({ env: 'Prod', team: 'a' });
    expect(normalizeTags({ '': 'x' })).toBeNull();
    expect(normalizeTags(null)).toBeNull();
  });

  it('turns a Python repr into JSON', () => {
    expect(pythonReprToJson(`[{'key': 'it\\'s', 'value': "a \\"b\\""}]`)).toBe('[{"key": "it\'s", "value": "a \\"b\\""}]');
  });
});

describe('jsonText', () => {
  it('keeps valid JSON as written, trimmed; null for the empty spellings', () => {
    // Re-serializing in JavaScript would round the long number that jsonb keeps exactly.
    expect(jsonText(' {"Price": 0.12345678901234567890, "名前": "共有"} ')).toBe('{"Price": 0.12345678901234567890, "名前": "共有"}');
    expect(jsonText('[]')).toBe('[]');
    expect(jsonText('{"pair": "\\ud83d\\ude00"}')).toBe('{"pair": "\\ud83d\\ude00"}');
    expect(jsonText('')).toBeNull();
    expect(jsonText('NULL')).toBeNull();
  });

  it('refuses what is not JSON, and what jsonb cannot store, naming the value', () => {
    expect(() => jsonText("{'a': 1}")).toThrow(/^not valid JSON \(.*\): "\{'a': 1\}"$/);
    expect(() => jsonText('{"a": "\\u0000"}')).toThrow(/PostgreSQL cannot store: "\{\\"a\\": \\"\\\\u0000\\"\}"/);
    expect(() => jsonText('{"\\ud800": 1}')).toThrow(/unpaired surrogate/);
    expect(() => jsonText('["\\udc00"]')).toThrow(/unpaired surrogate/);
  });
});

describe('jsonObject', () => {
  it('returns an object as written (not re-serialized) and null for the empty spellings', () => {
    // Kept as written: re-serializing in JavaScript would round long numbers that jsonb keeps.
    expect(jsonObject('{"ServiceName": "Compute"}')).toBe('{"ServiceName": "Compute"}');
    expect(jsonObject(' {"Amount": 12345678901234567890.123} ')).toBe('{"Amount": 12345678901234567890.123}');
    expect(jsonObject('{}')).toBe('{}');
    expect(jsonObject('')).toBeNull();
    expect(jsonObject('null')).toBeNull();
  });

  it('refuses what is not a JSON object, naming the value', () => {
    expect(() => jsonObject('{ServiceName: Compute}')).toThrow(/^not valid JSON \(.*\): "\{ServiceName: Compute\}"$/);
    expect(() => jsonObject('{"a": "\\u0000"}')).toThrow(/PostgreSQL cannot store/);
    expect(() => jsonObject('[1,2]')).toThrow(/not a JSON object: "\[1,2\]"/);
    expect(() => jsonObject('42')).toThrow(/not a JSON object: "42"/);
  });
});

// The database is built by the SQL migrations; the Prisma Client is generated from schema.prisma.
// `prisma migrate diff` needs the schema engine, which cannot be fetched here, so this test parses
// schema.prisma itself and compares it with what the migrated database reports.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { getPrisma } from '../lib/db/prisma';
import { sql, useTestDatabase } from './helpers/db';

interface PrismaField {
  column: string;
  type: string;
  list: boolean;
  optional: boolean;
  dbType?: string;
}
interface PrismaModel {
  table: string;
  fields: PrismaField[];
  indexes: string[];
}

function parseSchema(text: string): Map<string, PrismaModel> {
  const models = new Map<string, PrismaModel>();
  const scalar = new Set(['String', 'Int', 'BigInt', 'Decimal', 'Boolean', 'Json', 'DateTime', 'Float', 'Bytes']);
  for (const m of text.matchAll(/model (\w+) \{([\s\S]*?)\n\}/g)) {
    const [, name, body] = m as unknown as [string, string, string];
    const table = /@@map\("(\w+)"\)/.exec(body)?.[1] ?? name;
    const fields: PrismaField[] = [];
    const indexes: string[] = [];
    for (const raw of body.split('\n')) {
      const line = raw.trim();
      if (!line || line.startsWith('//')) continue;
      if (line.startsWith('@@')) {
        const idx = /map: "(\w+)"/.exec(line)?.[1];
        if (idx) indexes.push(idx);
        continue;
      }
      const f = /^(\w+)\s+(\w+)(\[\])?(\?)?\s*(.*)$/.exec(line);
      if (!f) continue;
      const [, fname, type, list, optional, attrs = ''] = f as unknown as [
        string,
        string,
        string,
        string | undefined,
        string | undefined,
        string,
      ];
      if (!scalar.has(type)) continue; // relation fields have no column
      fields.push({
        column: /@map\("(\w+)"\)/.exec(attrs)?.[1] ?? fname,
        type,
        list: Boolean(list),
        optional: Boolean(optional),
        dbType: /@db\.(\w+)/.exec(attrs)?.[1],
      });
    }
    models.set(name, { table, fields, indexes });
  }
  return models;
}

function expectedPgType(f: PrismaField): string {
  const base: Record<string, string> = {
    String: 'text',
    Int: f.dbType === 'SmallInt' ? 'smallint' : 'integer',
    BigInt: 'bigint',
    Decimal: 'numeric',
    Boolean: 'boolean',
    Json: 'jsonb',
    Float: 'double precision',
    Bytes: 'bytea',
    DateTime: f.dbType === 'Date' ? 'date' : 'timestamp with time zone',
  };
  return f.list ? `${base[f.type]}[]` : (base[f.type] as string);
}

describe('schema.prisma matches the migrated database', () => {
  const models = parseSchema(readFileSync('prisma/schema.prisma', 'utf8'));

  it('has a model for every application table and the same columns, types and nullability', async () => {
    const url = await useTestDatabase();
    const tables = await sql<{ table_name: string }>(
      url,
      `SELECT c.relname AS table_name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relname <> 'burnrate_migrations'
        ORDER BY 1`,
    );
    expect(tables.map((t) => t.table_name)).toEqual([...models.values()].map((m) => m.table).sort());
    for (const model of models.values()) {
      const cols = await sql<{ column: string; type: string; nullable: boolean }>(
        url,
        `SELECT a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type, NOT a.attnotnull AS nullable
           FROM pg_attribute a WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
        [model.table],
      );
      const actual = cols.map((c) => `${c.column} ${c.type.replace(/\(\d+\)/, '')}${c.nullable ? ' NULL' : ''}`).sort();
      const expected = model.fields.map((f) => `${f.column} ${expectedPgType(f)}${f.optional ? ' NULL' : ''}`).sort();
      expect(actual, `columns of ${model.table}`).toEqual(expected);
      const idx = await sql<{ indexname: string }>(url, 'SELECT indexname FROM pg_indexes WHERE tablename = $1', [model.table]);
      for (const name of model.indexes)
        expect(
          idx.map((i) => i.indexname),
          `index ${name} on ${model.table}`,
        ).toContain(name);
    }
  });

  it('the generated Prisma Client reads and writes the migrated tables', async () => {
    await useTestDatabase();
    const prisma = getPrisma();
    const source = await prisma.billingSource.create({ data: { name: 'prisma-check', provider: 'aws' } });
    const run = await prisma.ingestRun.create({
      data: { sourceId: source.id, fileName: 'x.csv', billingPeriods: [new Date('2024-01-01T00:00:00Z')], totals: [] },
    });
    expect(run.status).toBe('running');
    await prisma.costDaily.create({
      data: {
        day: new Date('2024-01-02T00:00:00Z'),
        sourceId: source.id,
        billingPeriodStart: new Date('2024-01-01T00:00:00Z'),
        providerName: 'AWS',
        chargeCategory: 'Usage',
        billingCurrency: 'USD',
        billedCost: '0.000000001',
        lineItems: 1n,
      },
    });
    const daily = await prisma.costDaily.findFirstOrThrow({ where: { sourceId: source.id } });
    expect(daily.billedCost.toString()).toBe('1e-9');
    expect(daily.billedCost.toFixed(9)).toBe('0.000000001');
    const [{ n }] = await prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM cost_line_items`;
    expect(n).toBe(0n);
  });
});

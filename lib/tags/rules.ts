/**
 * Tag rules (showback by team): for each concept (team, environment, cost centre) the normalized
 * tag keys that mean it, in priority order, whether its values are case-folded, and value mappings
 * (`ML`, `machine-learning` -> `ml`). Stored in `tag_rules` (migration 0021) and applied at query
 * time by `conceptValueSql`, so a rule change shows at once on every past month and the rollups
 * need no rewrite. A concept without a stored rule is the tag key of its own name, as `tag:<key>`.
 */
import type pg from 'pg';
import { z } from 'zod';
import { bumpDataVersion } from '../cache/data-version';
import { TAG_CONCEPTS, type TagConcept, TagKeySchema } from '../explorer/dimensions';

export interface ValueMapping {
  from: string;
  to: string;
}

export interface TagRule {
  concept: TagConcept;
  /** Normalized tag keys (trimmed, lower case), first present wins. */
  keys: string[];
  /** Values are compared and shown in lower case. */
  caseFold: boolean;
  /** Applied after trimming and case-folding; a `from` is stored folded when the rule folds. */
  mappings: ValueMapping[];
  /** null: no stored rule, the fallback applies. */
  updatedAt: Date | null;
  updatedBy: string | null;
}

export type TagRules = Record<TagConcept, TagRule>;

/** No stored rule: the concept's own tag key, values as tagged (the same as `tag:<concept>`). */
export function fallbackRule(concept: TagConcept): TagRule {
  return { concept, keys: [concept], caseFold: false, mappings: [], updatedAt: null, updatedBy: null };
}

export function fallbackRules(): TagRules {
  return Object.fromEntries(TAG_CONCEPTS.map((c) => [c, fallbackRule(c)])) as TagRules;
}

const MAX_KEYS = 20;
const MAX_MAPPINGS = 500;

const ValueSchema = z.string().trim().min(1, { error: 'a value cannot be empty' }).max(512, { error: 'a value is at most 512 characters' });

/** A rule as saved: keys normalized (trimmed, lower case), no duplicates; a `from` folded when the rule folds. */
export const TagRuleInputSchema = z
  .object({
    concept: z.enum(TAG_CONCEPTS, { error: `concept must be one of ${TAG_CONCEPTS.join(', ')}` }),
    keys: z
      .array(
        z
          .string()
          .transform((k) => k.trim().toLowerCase())
          .pipe(TagKeySchema),
      )
      .min(1, { error: 'keys: at least one tag key' })
      .max(MAX_KEYS, { error: `keys: at most ${MAX_KEYS} tag keys` }),
    caseFold: z.boolean(),
    mappings: z.array(z.object({ from: ValueSchema, to: ValueSchema })).max(MAX_MAPPINGS, { error: `mappings: at most ${MAX_MAPPINGS}` }),
  })
  .transform((rule, ctx) => {
    const keys: string[] = [];
    rule.keys.forEach((k, i) => {
      if (keys.includes(k)) ctx.addIssue({ code: 'custom', path: ['keys', i], message: `keys: "${k}" is listed twice` });
      else keys.push(k);
    });
    const mappings: ValueMapping[] = [];
    const seen = new Map<string, number>();
    rule.mappings.forEach((m, i) => {
      const from = rule.caseFold ? m.from.toLowerCase() : m.from;
      const to = rule.caseFold ? m.to.toLowerCase() : m.to;
      const first = seen.get(from);
      if (first !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['mappings', i],
          message: `mappings: "${m.from}" is mapped twice (also mapping ${first + 1})`,
        });
      else {
        seen.set(from, i);
        mappings.push({ from, to });
      }
    });
    return { concept: rule.concept, keys, caseFold: rule.caseFold, mappings };
  });
export type TagRuleInput = z.input<typeof TagRuleInputSchema>;
export type SavedTagRule = z.output<typeof TagRuleInputSchema>;

export class TagRuleError extends Error {
  constructor(
    message: string,
    /** 1-based line of the form's field the problem is on, when it is one. */
    readonly field: 'keys' | 'mappings' | 'concept' | 'caseFold',
    readonly line: number | null = null,
  ) {
    super(message);
    this.name = 'TagRuleError';
  }
}

/**
 * The form's text: keys one per line (blank lines ignored), mappings one `from => to` per line.
 * A bad line is a TagRuleError naming its field and line.
 */
export function parseRuleForm(input: { concept: string; keys: string; caseFold: boolean; mappings: string }): SavedTagRule {
  const keyLines = input.keys.split(/\r?\n/);
  const keys: string[] = [];
  const keyLineOf: number[] = [];
  keyLines.forEach((line, i) => {
    if (line.trim() === '') return;
    keys.push(line);
    keyLineOf.push(i + 1);
  });
  const mappings: { from: string; to: string }[] = [];
  const mappingLineOf: number[] = [];
  input.mappings.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    const at = line.indexOf('=>');
    if (at < 0)
      throw new TagRuleError(`Value mappings, line ${i + 1}: write "from => to" (got ${JSON.stringify(line.trim())})`, 'mappings', i + 1);
    mappings.push({ from: line.slice(0, at), to: line.slice(at + 2) });
    mappingLineOf.push(i + 1);
  });
  const parsed = TagRuleInputSchema.safeParse({ concept: input.concept, keys, caseFold: input.caseFold, mappings });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const [field, index] = (issue?.path ?? []) as [string | undefined, number | undefined];
  const message = issue?.message ?? 'invalid rule';
  if (field === 'keys') {
    const line = typeof index === 'number' ? (keyLineOf[index] ?? null) : null;
    return fail(`Tag keys${line ? `, line ${line}` : ''}: ${message.replace(/^keys: /, '')}`, 'keys', line);
  }
  if (field === 'mappings') {
    const line = typeof index === 'number' ? (mappingLineOf[index] ?? null) : null;
    const which = issue?.path[2] === 'from' ? ' (before =>)' : issue?.path[2] === 'to' ? ' (after =>)' : '';
    return fail(`Value mappings${line ? `, line ${line}` : ''}${which}: ${message.replace(/^mappings: /, '')}`, 'mappings', line);
  }
  return fail(message, field === 'caseFold' ? 'caseFold' : 'concept', null);
}

function fail(message: string, field: TagRuleError['field'], line: number | null): never {
  throw new TagRuleError(message, field, line);
}

/** The rule as the form shows it (keys one per line, `from => to` lines). */
export function ruleFormText(rule: TagRule): { keys: string; mappings: string } {
  return { keys: rule.keys.join('\n'), mappings: rule.mappings.map((m) => `${m.from} => ${m.to}`).join('\n') };
}

interface TagRuleRow {
  concept: TagConcept;
  keys: string[];
  case_fold: boolean;
  map_from: string[];
  map_to: string[];
  updated_at: Date;
  updated_by: string | null;
}

function ruleOf(r: TagRuleRow): TagRule {
  return {
    concept: r.concept,
    keys: r.keys,
    caseFold: r.case_fold,
    mappings: r.map_from.map((from, i) => ({ from, to: r.map_to[i] as string })),
    updatedAt: r.updated_at,
    updatedBy: r.updated_by,
  };
}

/** Every concept's rule (the fallback where none is stored): one query. */
export async function loadTagRules(db: pg.Pool | pg.PoolClient): Promise<TagRules> {
  const rules = fallbackRules();
  const { rows } = await db.query<TagRuleRow>('SELECT concept, keys, case_fold, map_from, map_to, updated_at, updated_by FROM tag_rules');
  for (const r of rows) if (r.concept in rules) rules[r.concept] = ruleOf(r);
  return rules;
}

/**
 * Saves one concept's rule in the caller's transaction; returns the rule it replaced (the fallback
 * when none was stored), read under a row lock so two saves each know what they replaced.
 */
export async function saveTagRule(
  client: pg.PoolClient,
  rule: SavedTagRule,
  updatedBy: string,
): Promise<{ before: TagRule; after: TagRule }> {
  await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`burnrate tag rule ${rule.concept}`]);
  const { rows: old } = await client.query<TagRuleRow>(
    'SELECT concept, keys, case_fold, map_from, map_to, updated_at, updated_by FROM tag_rules WHERE concept = $1 FOR UPDATE',
    [rule.concept],
  );
  const before = old[0] ? ruleOf(old[0]) : fallbackRule(rule.concept);
  const { rows } = await client.query<TagRuleRow>(
    `INSERT INTO tag_rules (concept, keys, case_fold, map_from, map_to, updated_at, updated_by)
     VALUES ($1, $2::text[], $3, $4::text[], $5::text[], now(), $6)
     ON CONFLICT (concept) DO UPDATE SET keys = EXCLUDED.keys, case_fold = EXCLUDED.case_fold, map_from = EXCLUDED.map_from,
                                         map_to = EXCLUDED.map_to, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by
     RETURNING concept, keys, case_fold, map_from, map_to, updated_at, updated_by`,
    [rule.concept, rule.keys, rule.caseFold, rule.mappings.map((m) => m.from), rule.mappings.map((m) => m.to), updatedBy],
  );
  // The explorer's and the monthly report's team, environment and cost centre follow the rule.
  await bumpDataVersion(client, `tag rule ${rule.concept}`);
  return { before, after: ruleOf(rows[0] as TagRuleRow) };
}

/** The audit trail's view of a rule (what an editor sets). */
export function auditView(rule: TagRule): { keys: string[]; caseFold: boolean; mappings: string[] } {
  return { keys: rule.keys, caseFold: rule.caseFold, mappings: rule.mappings.map((m) => `${m.from} => ${m.to}`) };
}

/** Where the expression's values go: returns the placeholder ($n) of each. */
export interface ParamSink {
  param(value: unknown): string;
}

/**
 * The SQL expression that yields the concept's value for a row of a table with `tags_normalized`:
 * the first of the rule's keys with a non-blank value, trimmed, lower-cased when the rule folds,
 * then mapped (a `from` equal to the value gives its `to`); '' when no key has a value (untagged).
 * Keys and mappings travel as parameters (text and two text[]), never in the SQL text.
 */
export function conceptValueSql(rule: Pick<TagRule, 'keys' | 'caseFold' | 'mappings'>, sql: ParamSink, column = 'tags_normalized'): string {
  if (!rule.keys.length) return "''";
  const picks = rule.keys.map((k) => `nullif(btrim(${column} ->> ${sql.param(k)}::text), '')`);
  const raw = `coalesce(${picks.join(', ')}, '')`;
  const value = rule.caseFold ? `lower(${raw})` : raw;
  if (!rule.mappings.length) return value;
  const fromParam = `${sql.param(rule.mappings.map((m) => m.from))}::text[]`;
  // Folded in SQL too, so a `from` meets the value under PostgreSQL's lower(), whatever the locale.
  const from = rule.caseFold ? `ARRAY(SELECT lower(f) FROM unnest(${fromParam}) WITH ORDINALITY AS u(f, o) ORDER BY o)` : fromParam;
  const to = `${sql.param(rule.mappings.map((m) => m.to))}::text[]`;
  return `coalesce((${to})[array_position(${from}, ${value})], ${value})`;
}

/**
 * The inputs of the source actions: one zod schema each, used by the action (validation) and by
 * the form (its field names and the keys of the errors it shows come from here and the registry).
 * The kind-specific part of a source is validated with the kind's own config and secret schemas
 * from lib/connectors/registry.ts, so the page accepts exactly what the connector accepts.
 */
import { z } from 'zod';
import { SyncScheduleSchema } from '../../jobs/schedule';
import type { ConnectorKindId } from '../connectors/kinds';
import { CONNECTOR_KIND_IDS, CONNECTOR_KINDS, type ConnectorKind, connectorKind, type SourceFormField } from '../connectors/registry';
import { INVENTORY_KIND_IDS, INVENTORY_KINDS, type InventoryKind, inventoryKind, inventoryKindForSource } from '../inventory/registry';

const SourceId = z.coerce.number({ error: 'must be a source id' }).int().positive({ error: 'must be a source id' });

const SourceName = z
  .string()
  .trim()
  .min(1, { error: 'required' })
  .max(100, { error: 'at most 100 characters' })
  .regex(/^[^\p{Cc}]*$/u, { error: 'must not contain control characters' });

/**
 * The inventory part of a source: off (its stored settings are kept for when it is turned on
 * again), or on with the inventory kind's own settings schema.
 */
function inventoryOption(kind: InventoryKind) {
  return z.discriminatedUnion('enabled', [
    z.object({ enabled: z.literal(false), config: z.unknown().optional() }),
    z.object({ enabled: z.literal(true), config: kind.configSchema }),
  ]);
}

function saveSourceOption(id: ConnectorKindId) {
  const kind: ConnectorKind = CONNECTOR_KINDS[id];
  const inventory = inventoryKindForSource(id);
  return z.object({
    id: SourceId.optional(),
    kind: z.literal(id),
    name: SourceName,
    enabled: z.boolean(),
    schedule: SyncScheduleSchema,
    // The kind's own schemas: the page accepts exactly what the connector accepts.
    config: kind.configSchema,
    secret: (kind.secretSchema ?? z.never()).optional(),
    clearSecret: z.boolean().default(false),
    // Billing kinds whose credentials can also list resources (lib/inventory/registry.ts billingKinds).
    inventory: (inventory ? inventoryOption(inventory) : z.object({ enabled: z.literal(false), config: z.unknown().optional() })).default({
      enabled: false,
    }),
  });
}

/** An inventory-only source: no billing config or schedule; inventory always on, with the kind's settings and credentials. */
function saveInventorySourceOption(id: string) {
  const kind = INVENTORY_KINDS[id] as InventoryKind;
  return z.object({
    id: SourceId.optional(),
    kind: z.literal(id),
    name: SourceName,
    enabled: z.boolean(),
    schedule: z.unknown().transform(() => null),
    config: z.unknown().transform(() => ({})),
    secret: (kind.secretSchema ?? z.never()).optional(),
    clearSecret: z.boolean().default(false),
    inventory: z.object({ enabled: z.literal(true).default(true), config: kind.configSchema }),
  });
}

type SaveSourceOption = ReturnType<typeof saveSourceOption> | ReturnType<typeof saveInventorySourceOption>;

/**
 * What the actions need of a source's kind, billing or inventory-only alike: the billing connector
 * kind (null for an inventory-only kind), the inventory kind it can use (null if none), and the
 * label, provider and credential rules of the source's stored secret.
 */
export interface SourceKind {
  label: string;
  provider: string;
  secretRequired: boolean;
  secretLabel: string;
  billing: ConnectorKind | null;
  inventory: InventoryKind | null;
  inventoryOnly: boolean;
}

export function sourceKind(id: string): SourceKind | null {
  const billing = connectorKind(id);
  const inventory = inventoryKindForSource(id);
  const own = billing ?? inventory;
  if (!own) return null;
  return {
    label: own.label,
    provider: own.provider,
    secretRequired: own.secretRequired,
    secretLabel: own.secretLabel,
    billing,
    inventory,
    inventoryOnly: billing === null,
  };
}

/** Every kind a source can be added as: the billing connector kinds, then the inventory-only kinds. */
export const SOURCE_KIND_IDS: readonly string[] = [...CONNECTOR_KIND_IDS, ...INVENTORY_KIND_IDS];

/**
 * Adding (no id) or editing a connector source, one option per kind of the registry. `secret` is
 * present only when the user typed credentials; editing without it keeps the stored ones,
 * `clearSecret` removes them. Every field is checked in one pass, so one submit shows every problem.
 */
export const SaveSourceSchema = z
  .discriminatedUnion(
    'kind',
    [...CONNECTOR_KIND_IDS.map(saveSourceOption), ...INVENTORY_KIND_IDS.map(saveInventorySourceOption)] as [
      SaveSourceOption,
      ...SaveSourceOption[],
    ],
    {
      error: (issue) => (issue.code === 'invalid_union' ? `must be one of: ${SOURCE_KIND_IDS.join(', ')}` : undefined),
    },
  )
  .transform((input) => ({
    ...input,
    kind: input.kind as string,
    schedule: input.schedule as string | null,
    config: input.config as Record<string, unknown>,
    secret: input.secret as unknown,
    clearSecret: input.clearSecret && input.secret === undefined,
    inventory: { enabled: input.inventory.enabled, config: (input.inventory.config ?? {}) as Record<string, unknown> },
  }));
export type SaveSourceInput = z.input<typeof SaveSourceSchema>;
export type SaveSourceValues = z.output<typeof SaveSourceSchema>;

/** Actions on one source: test its connection, sync it now, delete it. */
export const SourceIdInputSchema = z.object({ id: SourceId });

export const SetSourceEnabledSchema = z.object({
  id: SourceId,
  enabled: z.enum(['true', 'false'], { error: 'must be true or false' }).transform((v) => v === 'true'),
});

// ---------------------------------------------------------------------------------------------
// FormData → SaveSourceInput. Field names: name, kind, schedule, enabled, id, clearSecret and
// `config.<field>` / `secret.<field>` for the kind's fields in the registry.

function text(form: FormData, key: string): string {
  const v = form.get(key);
  return typeof v === 'string' ? v : '';
}

function checked(form: FormData, key: string): boolean {
  const v = form.get(key);
  return v === 'on' || v === 'true';
}

/** The values of one group of fields; an empty optional field is left out so its schema's default or optionality applies. */
function groupValues(
  form: FormData,
  prefix: string,
  fields: readonly SourceFormField[],
): { values: Record<string, unknown>; typed: boolean } {
  const values: Record<string, unknown> = {};
  let typed = false;
  const shown = (f: SourceFormField) => !f.when || text(form, `${prefix}.${f.when.field}`) === f.when.equals;
  for (const field of fields) {
    if (!shown(field)) continue;
    const key = `${prefix}.${field.name}`;
    if (field.input === 'checkbox') {
      values[field.name] = checked(form, key);
      continue;
    }
    const raw = text(form, key);
    const value = field.input === 'password' ? raw.trim() : raw;
    if (value.trim() === '') {
      if (field.required && field.input !== 'password') values[field.name] = value.trim();
      continue;
    }
    values[field.name] = value;
    if (field.input !== 'select') typed = true;
  }
  return { values, typed };
}

export function sourceFormToInput(form: FormData): unknown {
  const kindId = text(form, 'kind');
  const inventoryOnly = inventoryKind(kindId);
  const kind: Pick<ConnectorKind, 'configFields' | 'secretFields'> | null = connectorKind(kindId) ?? inventoryOnly;
  const id = text(form, 'id');
  const input: Record<string, unknown> = {
    kind: kindId,
    name: text(form, 'name'),
    enabled: checked(form, 'enabled'),
    schedule: text(form, 'schedule'),
    clearSecret: checked(form, 'clearSecret'),
    config: {},
  };
  if (id !== '') input.id = id;
  if (!kind) return input;
  // The inventory settings are fields `inventory.config.<name>`; inventory-only sources have it always on.
  const inventory = inventoryKindForSource(kindId);
  if (inventory) {
    const enabled = inventoryOnly !== null || checked(form, 'inventory.enabled');
    input.inventory = { enabled, config: enabled ? groupValues(form, 'inventory.config', inventory.configFields).values : {} };
  }
  if (!inventoryOnly) input.config = groupValues(form, 'config', kind.configFields).values;
  const secret = groupValues(form, 'secret', kind.secretFields);
  // Credentials count as given when any credential text was typed; a credential-type select alone is not one.
  if (secret.typed) {
    // A required secret field left empty next to typed ones gets the schema's "required".
    for (const field of kind.secretFields) {
      const visible = !field.when || text(form, `secret.${field.when.field}`) === field.when.equals;
      if (visible && field.required && !(field.name in secret.values)) secret.values[field.name] = '';
    }
    input.secret = secret.values;
  }
  return input;
}

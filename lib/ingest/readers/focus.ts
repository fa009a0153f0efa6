import { type CostRow, FOCUS_COLUMNS, type FocusColumn } from '../../focus/columns';
import { currency, decimal, jsonText, parseTags, regionId, text, timestamp, ValueError } from '../../focus/normalize';
import { type FormatReader, IngestError, type RecordMapper } from '../types';

type FocusName = (typeof FOCUS_COLUMNS)[number]['focus'];

/**
 * Older spellings of FOCUS columns, tried when the current name is absent. From the FOCUS changelog
 * (0.5 -> 1.0-preview -> 1.0) and the early names the FOCUS validator's 0.5 fixtures use.
 * A file that has both spellings is read by the current name; the other column goes to extras.
 * ServiceProviderName (1.3) is also stored in its own column: it stands in for ProviderName, which
 * 1.4 removed, because provider_name is what the dashboard groups by.
 */
const ALIASES: Partial<Record<FocusName, readonly string[]>> = {
  ProviderName: ['Provider', 'ServiceProviderName' /* 1.3 */],
  PublisherName: ['Publisher'],
  InvoiceIssuerName: ['InvoiceIssuer'],
  ResourceId: ['ResourceID'],
  BillingCurrency: ['BilledCurrency'],
  ChargeCategory: ['ChargeType'],
  EffectiveCost: ['AmortizedCost'],
  RegionId: ['Region'],
  ConsumedQuantity: ['UsageQuantity'],
  ConsumedUnit: ['UsageUnit'],
};

/**
 * Names no other supported export uses; at least one must be present for a file to count as FOCUS.
 * (Azure exports share ChargeType, PublisherName, BillingCurrency, ResourceId and Tags with FOCUS.)
 */
const DISTINCTIVE = new Set(
  [
    'BilledCost',
    'EffectiveCost',
    'AmortizedCost',
    'ListCost',
    'ContractedCost',
    'ChargePeriodStart',
    'ChargePeriodEnd',
    'BillingPeriodStart',
    'BillingPeriodEnd',
    'ChargeCategory',
    'ChargeClass',
    'ChargeFrequency',
    'ProviderName',
    'InvoiceIssuerName',
    'InvoiceIssuer',
    'BilledCurrency',
    'ConsumedQuantity',
    'PricingQuantity',
    'RegionId',
    'SkuPriceId',
    'ServiceCategory',
    'SubAccountId',
  ].map((n) => n.toLowerCase()),
);

/** Every FOCUS name and alias (lower-cased) -> the canonical column it feeds. */
const BY_NAME = new Map<string, (typeof FOCUS_COLUMNS)[number]>();
for (const c of FOCUS_COLUMNS) {
  BY_NAME.set(c.focus.toLowerCase(), c);
  for (const alias of ALIASES[c.focus] ?? []) BY_NAME.set(alias.toLowerCase(), c);
}

type Convert = (value: string) => string | null;

export function converterFor(c: (typeof FOCUS_COLUMNS)[number]): Convert {
  if (c.column === 'region_id') return regionId;
  if (c.column === 'billing_currency') return currency;
  if (c.kind === 'numeric') return decimal;
  if (c.kind === 'timestamp') return timestamp;
  if (c.kind === 'json') return jsonText;
  return text;
}

export interface Field {
  index: number;
  header: string;
  focus: FocusName;
  column: FocusColumn;
  required: boolean;
  convert: Convert;
  /** Where to read the value from when this row's is null (ServiceProviderName for ProviderName), or -1. */
  fallback: number;
}

/** Which header feeds each FOCUS column: the current name first, then the aliases in order. */
export function resolveFocusColumns(headers: readonly string[]): { fields: Field[]; tags: number; extras: number[] } {
  const lower = headers.map((h) => h.trim().toLowerCase());
  const used = new Set<number>();
  const fields: Field[] = [];
  for (const c of FOCUS_COLUMNS) {
    const names = [c.focus, ...(ALIASES[c.focus] ?? [])].map((n) => n.toLowerCase());
    let index = -1;
    for (const name of names) {
      index = lower.indexOf(name);
      if (index >= 0) break;
    }
    if (index < 0) continue;
    used.add(index);
    fields.push({
      index,
      header: headers[index] as string,
      focus: c.focus,
      column: c.column,
      required: 'required' in c && c.required === true,
      convert: converterFor(c),
      fallback: -1,
    });
  }
  // A 1.3 file may leave the deprecated ProviderName empty on rows that have ServiceProviderName.
  const provider = fields.find((f) => f.column === 'provider_name');
  const serviceProvider = fields.find((f) => f.column === 'service_provider_name');
  if (provider && serviceProvider && provider.index !== serviceProvider.index) provider.fallback = serviceProvider.index;
  const tags = lower.indexOf('tags');
  if (tags >= 0) used.add(tags);
  const extras: number[] = [];
  for (let i = 0; i < headers.length; i++) if (!used.has(i)) extras.push(i);
  return { fields, tags, extras };
}

const MANDATORY = FOCUS_COLUMNS.filter((c) => 'required' in c && c.required);

/**
 * The amounts FOCUS denominates in PricingCurrency (1.2+). Every amount travels with its currency,
 * so a row with one of them and no PricingCurrency is refused (the specification: PricingCurrency
 * is not null where present). BilledCost and the other billed amounts have BillingCurrency, which
 * is mandatory.
 */
export const PRICING_CURRENCY_AMOUNTS: ReadonlySet<FocusColumn> = new Set([
  'pricing_currency_contracted_unit_price',
  'pricing_currency_effective_cost',
  'pricing_currency_list_unit_price',
]);

export const focusReader: FormatReader = {
  id: 'focus',
  label: 'FOCUS (FinOps Open Cost and Usage Specification) 0.5-1.4',
  signature: ['BilledCost', 'EffectiveCost', 'BillingCurrency', 'ChargePeriodStart', 'ChargeCategory', 'ProviderName'],

  detect(headers) {
    let distinctive = 0;
    let known = 0;
    for (const h of headers) {
      const name = h.trim().toLowerCase();
      if (DISTINCTIVE.has(name)) distinctive++;
      else if (BY_NAME.has(name) || name === 'tags') known++;
    }
    if (distinctive === 0) return 0;
    const lower = new Set(headers.map((h) => h.trim().toLowerCase()));
    const core = lower.has('billedcost') && lower.has('chargeperiodstart') ? 50 : 0;
    return core + 10 * distinctive + known;
  },

  createMapper(headers, ctx): RecordMapper {
    const { fields, tags, extras } = resolveFocusColumns(headers);
    const present = new Set(fields.map((f) => f.focus));
    const absent = MANDATORY.filter((c) => !present.has(c.focus));
    if (absent.length) {
      const names = absent.map((c) => [c.focus, ...(ALIASES[c.focus] ?? [])].join('/'));
      throw new IngestError(`${ctx.file}: missing mandatory FOCUS column${absent.length > 1 ? 's' : ''} ${names.join(', ')}`, {
        file: ctx.file,
        line: 1,
        column: absent[0]?.focus,
        code: 'MISSING_VALUE',
      });
    }
    const extraNames = extras.map((i) => headers[i] as string);
    const priced = fields.filter((f) => PRICING_CURRENCY_AMOUNTS.has(f.column));

    return (values) => {
      const row: CostRow = {};
      let current = '';
      try {
        for (const f of fields) {
          current = f.header;
          const raw = values[f.index];
          let v = raw == null ? null : f.convert(raw);
          if (v === null && f.fallback >= 0) v = f.convert(values[f.fallback] ?? '');
          if (v === null && f.required) throw new ValueError(`missing ${f.focus} (mandatory FOCUS column)`);
          row[f.column] = v;
        }
        if (priced.length && row.pricing_currency == null) {
          for (const f of priced) {
            current = f.header;
            if (row[f.column] != null) throw new ValueError(`${row[f.column]} has no PricingCurrency (an amount needs its currency)`);
          }
        }
        if (tags >= 0) {
          current = headers[tags] as string;
          row.tags = parseTags(values[tags]);
        }
      } catch (error) {
        if (error instanceof ValueError && !error.message.startsWith('missing ')) throw new ValueError(`${current}: ${error.message}`);
        throw error;
      }
      if (extras.length) {
        let out: Record<string, string> | null = null;
        for (let i = 0; i < extras.length; i++) {
          const raw = values[extras[i] as number];
          if (raw == null || text(raw) === null) continue;
          out ??= {};
          out[extraNames[i] as string] = raw;
        }
        row.extras = out;
      }
      return row;
    };
  },
};

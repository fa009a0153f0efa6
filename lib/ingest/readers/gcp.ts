import { addDecimals } from '../../decimal';
import type { CostRow } from '../../focus/columns';
import { currency, decimal, parseTags, regionId, text, timestamp, ValueError } from '../../focus/normalize';
import type { FormatReader, RecordMapper } from '../types';

/**
 * Google Cloud billing export (BigQuery standard or detailed usage cost tables) saved as CSV: the
 * nested fields flattened to dotted names (`service.description`, `location.region`), or to
 * underscores (`service_description`) as some export tools write them; both are accepted.
 * Repeated fields (credits, labels) are Python-repr or JSON lists.
 *
 * The mapping follows Google's FOCUS BigQuery view for the billing export:
 * - BilledCost = EffectiveCost = cost + sum(credits.amount). Google counts credits (promotions,
 *   sustained/committed use discounts, free tier) in both, as they reduce the invoice. Amounts are
 *   summed exactly from the text of the export (JSON.parse would turn them into floats).
 * - ContractedCost = cost (before credits); ListCost = cost_at_list; ContractedUnitPrice = price.effective_price.
 * - ChargeCategory from cost_type (regular -> Usage, tax -> Tax, adjustment and rounding_error ->
 *   Adjustment); ChargeClass "Correction" when adjustment_info is set.
 * - SkuId, PricingCategory, quantities and units only for regular (usage) rows, as FOCUS requires.
 * - ProviderName and InvoiceIssuerName "Google Cloud"; PublisherName the seller for marketplace rows.
 * Where this reader differs from the view: SubAccountId/Name are the project (the view puts the
 * billing account there); the billing period is [first day of invoice.month, first day of the next
 * month) at 00:00 UTC (the view uses midnight Pacific and an inclusive last day); RegionId falls back
 * to location.location (multi-regions such as "us", or "global") when location.region is empty.
 * Tags: project labels, then resource-manager tags, then resource labels (the more specific wins).
 * Every other non-empty column is kept in extras under its original name, credits included.
 */

/** Header spelling -> canonical key: lower case, dots as underscores. */
function key(header: string): string {
  return header.trim().toLowerCase().replace(/\./g, '_');
}

const CHARGE_CATEGORY: Record<string, string> = {
  regular: 'Usage',
  tax: 'Tax',
  adjustment: 'Adjustment',
  rounding_error: 'Adjustment',
};

const CUD_CATEGORY: Record<string, string> = {
  COMMITTED_USAGE_DISCOUNT: 'Usage',
  COMMITTED_USAGE_DISCOUNT_DOLLAR_BASE: 'Spend',
};

/** Display names of Google Cloud regions (cloud.google.com/about/locations). */
const REGION_NAMES: Record<string, string> = {
  'africa-south1': 'Johannesburg',
  'asia-east1': 'Taiwan',
  'asia-east2': 'Hong Kong',
  'asia-northeast1': 'Tokyo',
  'asia-northeast2': 'Osaka',
  'asia-northeast3': 'Seoul',
  'asia-south1': 'Mumbai',
  'asia-south2': 'Delhi',
  'asia-southeast1': 'Singapore',
  'asia-southeast2': 'Jakarta',
  'australia-southeast1': 'Sydney',
  'australia-southeast2': 'Melbourne',
  'europe-central2': 'Warsaw',
  'europe-north1': 'Finland',
  'europe-north2': 'Stockholm',
  'europe-southwest1': 'Madrid',
  'europe-west1': 'Belgium',
  'europe-west2': 'London',
  'europe-west3': 'Frankfurt',
  'europe-west4': 'Netherlands',
  'europe-west6': 'Zurich',
  'europe-west8': 'Milan',
  'europe-west9': 'Paris',
  'europe-west10': 'Berlin',
  'europe-west12': 'Turin',
  'me-central1': 'Doha',
  'me-central2': 'Dammam',
  'me-west1': 'Tel Aviv',
  'northamerica-northeast1': 'Montréal',
  'northamerica-northeast2': 'Toronto',
  'northamerica-south1': 'Querétaro',
  'southamerica-east1': 'São Paulo',
  'southamerica-west1': 'Santiago',
  'us-central1': 'Iowa',
  'us-east1': 'South Carolina',
  'us-east4': 'Northern Virginia',
  'us-east5': 'Columbus',
  'us-south1': 'Dallas',
  'us-west1': 'Oregon',
  'us-west2': 'Los Angeles',
  'us-west3': 'Salt Lake City',
  'us-west4': 'Las Vegas',
};

/** Columns whose value is fully carried by canonical fields; everything else goes to extras. */
const CONSUMED = new Set([
  'billing_account_id',
  'service_description',
  'usage_start_time',
  'usage_end_time',
  'project_id',
  'project_name',
  'project_labels',
  'labels',
  'tags',
  'location_region',
  'location_zone',
  'cost',
  'currency',
  'usage_amount',
  'usage_unit',
  'usage_amount_in_pricing_units',
  'usage_pricing_unit',
  'price_effective_price',
  'price_pricing_unit_quantity',
  'price_unit',
  'invoice_month',
  'resource_name',
  'resource_global_name',
  'cost_at_list',
  'subscription_instance_id',
  // carried by SkuId on usage rows; added back to extras below for the others
  'sku_id',
]);

const DETECT = [
  'billing_account_id',
  'service_description',
  'sku_id',
  'sku_description',
  'usage_start_time',
  'usage_end_time',
  'project_id',
  'location_region',
  'cost',
  'currency',
  'credits',
  'invoice_month',
  'cost_type',
  'usage_amount',
];

export const gcpReader: FormatReader = {
  id: 'gcp',
  label: 'Google Cloud billing export (BigQuery, as CSV)',
  signature: ['billing_account_id', 'service.description', 'sku.id', 'usage_start_time', 'cost', 'currency', 'invoice.month'],

  detect(headers) {
    const keys = new Set(headers.map(key));
    if (!keys.has('usage_start_time') || !keys.has('cost') || !keys.has('currency')) return 0;
    if (!keys.has('service_description') && !keys.has('sku_id')) return 0;
    return 50 + DETECT.filter((k) => keys.has(k)).length;
  },

  createMapper(headers): RecordMapper {
    const keys = headers.map(key);
    const at = (k: string): number => keys.indexOf(k);
    const i = {
      account: at('billing_account_id'),
      service: at('service_description'),
      skuId: at('sku_id'),
      skuDescription: at('sku_description'),
      start: at('usage_start_time'),
      end: at('usage_end_time'),
      projectId: at('project_id'),
      projectName: at('project_name'),
      projectLabels: at('project_labels'),
      labels: at('labels'),
      resourceTags: at('tags'),
      location: at('location_location'),
      region: at('location_region'),
      zone: at('location_zone'),
      cost: at('cost'),
      currency: at('currency'),
      usageAmount: at('usage_amount'),
      usageUnit: at('usage_unit'),
      pricingAmount: at('usage_amount_in_pricing_units'),
      pricingUnit: at('usage_pricing_unit'),
      priceQuantity: at('price_pricing_unit_quantity'),
      priceUnit: at('price_unit'),
      effectivePrice: at('price_effective_price'),
      credits: at('credits'),
      invoiceMonth: at('invoice_month'),
      costType: at('cost_type'),
      resourceName: at('resource_name'),
      resourceGlobalName: at('resource_global_name'),
      costAtList: at('cost_at_list'),
      transactionType: at('transaction_type'),
      sellerName: at('seller_name'),
      subscription: at('subscription_instance_id'),
      adjustment: keys.flatMap((k, n) => (k.startsWith('adjustment_info_') ? [n] : [])),
    };
    const extras = keys.flatMap((k, n) => (CONSUMED.has(k) ? [] : [n]));

    // The column being read, for error messages; set by get() (defined once, not per row).
    let column = '';
    let values: readonly (string | null)[] = [];
    const get = (index: number, name: string): string | null => {
      column = name;
      return index < 0 ? null : text(values[index]);
    };
    // Amounts from the raw value: decimal() refuses NaN, which text() would read as missing.
    const amount = (index: number, name: string): string | null => {
      column = name;
      return index < 0 ? null : decimal(values[index]);
    };

    return (record) => {
      values = record;
      column = '';
      try {
        const costType = get(i.costType, 'cost_type');
        const category = costType === null ? null : CHARGE_CATEGORY[costType.toLowerCase()];
        if (category === undefined) throw new ValueError(`unknown cost_type ${JSON.stringify(costType)}`);
        if (category === null) throw new ValueError('missing cost_type');
        const regular = category === 'Usage';

        const cost = amount(i.cost, 'cost');
        if (cost === null) throw new ValueError('missing cost');
        const credits = parseCredits(get(i.credits, 'credits'));
        column = 'credits';
        const billed = credits.length ? addDecimals([cost, ...credits.map((c) => c.amount)]) : cost;

        const chargeStart = timestamp(get(i.start, 'usage_start_time'));
        if (chargeStart === null) throw new ValueError('missing usage_start_time');
        const chargeEnd = timestamp(get(i.end, 'usage_end_time'));
        if (chargeEnd === null) throw new ValueError('missing usage_end_time');
        const [periodStart, periodEnd] = billingPeriod(get(i.invoiceMonth, 'invoice.month'), chargeStart);

        const region = get(i.region, 'location.region');
        const regionIdValue = regionId(region ?? get(i.location, 'location.location'));
        const skuDescription = get(i.skuDescription, 'sku.description');
        const cud = credits.find((c) => c.type !== null && c.type in CUD_CATEGORY);
        const transactionType = get(i.transactionType, 'transaction_type');
        const seller = get(i.sellerName, 'seller_name');
        const globalName = get(i.resourceGlobalName, 'resource.global_name');
        const correction = i.adjustment.some((n) => text(values[n]) !== null);

        const row: CostRow = {
          provider_name: 'Google Cloud',
          publisher_name: transactionType !== null && transactionType !== 'GOOGLE' && seller !== null ? seller : 'Google Cloud',
          invoice_issuer_name: 'Google Cloud',
          billing_account_id: get(i.account, 'billing_account_id'),
          sub_account_id: get(i.projectId, 'project.id'),
          sub_account_name: get(i.projectName, 'project.name'),
          billing_period_start: periodStart,
          billing_period_end: periodEnd,
          charge_period_start: chargeStart,
          charge_period_end: chargeEnd,
          charge_category: category,
          charge_class: correction ? 'Correction' : null,
          charge_description: skuDescription,
          service_name: get(i.service, 'service.description'),
          region_id: regionIdValue,
          region_name: region !== null && regionIdValue !== null ? (REGION_NAMES[regionIdValue] ?? null) : null,
          availability_zone: get(i.zone, 'location.zone'),
          resource_id: globalName,
          resource_name: get(i.resourceName, 'resource.name'),
          resource_type: resourceType(globalName),
          sku_id: regular ? get(i.skuId, 'sku.id') : null,
          pricing_category: regular ? (skuDescription?.toLowerCase().startsWith('commitment') || cud ? 'Committed' : 'Standard') : null,
          pricing_quantity: regular
            ? (amount(i.priceQuantity, 'price.pricing_unit_quantity') ?? amount(i.pricingAmount, 'usage.amount_in_pricing_units'))
            : null,
          pricing_unit: regular ? (get(i.priceUnit, 'price.unit') ?? get(i.pricingUnit, 'usage.pricing_unit')) : null,
          contracted_unit_price: amount(i.effectivePrice, 'price.effective_price'),
          consumed_quantity: regular ? amount(i.usageAmount, 'usage.amount') : null,
          consumed_unit: regular ? get(i.usageUnit, 'usage.unit') : null,
          list_cost: amount(i.costAtList, 'cost_at_list'),
          contracted_cost: cost,
          billed_cost: billed,
          effective_cost: billed,
          billing_currency: currency(get(i.currency, 'currency')),
          commitment_discount_category: cud?.type ? (CUD_CATEGORY[cud.type] ?? null) : null,
          commitment_discount_id: get(i.subscription, 'subscription.instance_id'),
        };
        if (row.billing_currency === null) throw new ValueError('missing currency');

        const projectLabels = get(i.projectLabels, 'project.labels');
        const resourceTags = get(i.resourceTags, 'tags');
        const labels = get(i.labels, 'labels');
        column = ''; // tagsOf names the column itself
        row.tags = tagsOf(projectLabels, resourceTags, labels);

        let extra: Record<string, string> | null = null;
        for (const n of extras) {
          const raw = values[n];
          const t = text(raw);
          if (t === null || t === '[]' || raw == null) continue;
          extra ??= {};
          extra[headers[n] as string] = raw;
        }
        // sku.id is a canonical field only for usage rows; keep it for the others.
        if (!regular && i.skuId >= 0 && text(values[i.skuId]) !== null) {
          extra ??= {};
          extra[headers[i.skuId] as string] = values[i.skuId] as string;
        }
        row.extras = extra;
        return row;
      } catch (error) {
        if (error instanceof ValueError && column && !/^(missing|unknown) /.test(error.message)) {
          throw new ValueError(`${column}: ${error.message}`);
        }
        throw error;
      }
    };
  },
};

/**
 * Project labels, then resource-manager tags, then resource labels (the more specific wins).
 * Exports repeat a few label sets over millions of rows and parsing a Python repr is slow, so
 * results are cached by their text; the rows share the (never mutated) tag objects.
 */
const tagCache = new Map<string, Record<string, string> | null>();
function tagsOf(projectLabels: string | null, resourceTags: string | null, labels: string | null): Record<string, string> | null {
  if (projectLabels === null && resourceTags === null && labels === null) return null;
  const cacheKey = `${projectLabels}\u0000${resourceTags}\u0000${labels}`;
  const cached = tagCache.get(cacheKey);
  if (cached !== undefined) return cached;
  let out: Record<string, string> | null = null;
  for (const [name, value] of [
    ['project.labels', projectLabels],
    ['tags', resourceTags],
    ['labels', labels],
  ] as const) {
    let parsed: Record<string, string> | null;
    try {
      parsed = parseTags(value);
    } catch (error) {
      throw error instanceof ValueError ? new ValueError(`${name}: ${error.message}`) : error;
    }
    if (parsed) out = { ...(out ?? {}), ...parsed };
  }
  if (tagCache.size >= 10_000) tagCache.clear();
  tagCache.set(cacheKey, out);
  return out;
}

/** YYYYMM -> [first day of that month, first day of the next) at 00:00 UTC; the usage month when absent. */
function billingPeriod(invoiceMonth: string | null, chargeStart: string): [string, string] {
  let y: number;
  let m: number;
  if (invoiceMonth === null) {
    const d = new Date(chargeStart);
    y = d.getUTCFullYear();
    m = d.getUTCMonth() + 1;
  } else {
    const match = /^(\d{4})-?(\d{2})$/.exec(invoiceMonth);
    if (!match) throw new ValueError(`not an invoice month (YYYYMM): ${JSON.stringify(invoiceMonth)}`);
    y = Number(match[1]);
    m = Number(match[2]);
    if (m < 1 || m > 12) throw new ValueError(`not an invoice month (YYYYMM): ${JSON.stringify(invoiceMonth)}`);
  }
  const p2 = (n: number) => String(n).padStart(2, '0');
  const next = m === 12 ? [y + 1, 1] : [y, m + 1];
  return [`${y}-${p2(m)}-01T00:00:00Z`, `${next[0]}-${p2(next[1] as number)}-01T00:00:00Z`];
}

/** compute.instances from //compute.googleapis.com/projects/p/zones/z/instances/i, as Google's FOCUS view derives it. */
function resourceType(globalName: string | null): string | null {
  if (!globalName?.startsWith('//')) return null;
  const t = globalName.replace(
    /(\/\/)|(googleapis\.com\/)|(projects\/[^/]+\/)|(project_commitments\/[^/]+\/)|(locations\/[^/]+\/)|(regions\/[^/]+\/)|(zones\/[^/]+\/)|(global\/)|(\/[^/]+)/g,
    '',
  );
  return t || null;
}

// ---------------------------------------------------------------------------------------------
// Credits: `[{'name': 'FreeTrial:Credit-…', 'amount': -5e-06, 'full_name': None, 'id': '…', 'type': 'PROMOTION'}]`
// (Python repr, as pandas/BigQuery clients print it) or the same as JSON. Numbers are kept as the
// exact text of the export.

export interface GcpCredit {
  name: string | null;
  amount: string;
  fullName: string | null;
  id: string | null;
  type: string | null;
}

/** A literal value with numbers kept as text. */
type Literal = string | { number: string } | boolean | null | Literal[] | { [key: string]: Literal };

export function parseCredits(value: string | null): GcpCredit[] {
  if (value === null || value === '[]') return [];
  const parsed = parseLiteral(value);
  if (!Array.isArray(parsed)) throw new ValueError(`credits are not a list: ${JSON.stringify(value.slice(0, 200))}`);
  return parsed.map((item) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item) || isNumber(item)) {
      throw new ValueError(`a credit is not a record: ${JSON.stringify(value.slice(0, 200))}`);
    }
    const record = item as { [key: string]: Literal };
    const amount = record.amount;
    let amountText: string | null = null;
    // Through decimal() like any amount: its range check applies to numbers inside the credits too.
    if (isNumber(amount)) amountText = decimal(amount.number);
    else if (typeof amount === 'string') amountText = decimal(amount);
    if (amountText === null) throw new ValueError(`a credit has no amount: ${JSON.stringify(value.slice(0, 200))}`);
    const str = (v: Literal | undefined) => (typeof v === 'string' ? v : null);
    return { name: str(record.name), amount: amountText, fullName: str(record.full_name), id: str(record.id), type: str(record.type) };
  });
}

function isNumber(v: Literal | undefined): v is { number: string } {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && typeof v.number === 'string' && Object.keys(v).length === 1;
}

const NUMBER_RE = /-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y;

/** Parses a Python repr or JSON literal (lists, dicts, strings, numbers, None/null, True/False). */
export function parseLiteral(source: string): Literal {
  const parser = new LiteralParser(source);
  const result = parser.value();
  parser.skip();
  if (parser.pos !== source.length) parser.fail('the end');
  return result;
}

// A class rather than closures: this runs once per row, and per-call closures are costly.
class LiteralParser {
  pos = 0;
  constructor(private readonly source: string) {}

  fail(what: string): never {
    throw new ValueError(`cannot read ${what} at position ${this.pos} of ${JSON.stringify(this.source.slice(0, 200))}`);
  }

  skip(): void {
    const s = this.source;
    for (let c = s.charCodeAt(this.pos); c === 32 || c === 9 || c === 10 || c === 13; c = s.charCodeAt(this.pos)) this.pos++;
  }

  private word(w: string): boolean {
    if (!this.source.startsWith(w, this.pos)) return false;
    const next = this.source.charCodeAt(this.pos + w.length); // NaN past the end
    return !((next >= 48 && next <= 57) || (next >= 65 && next <= 90) || (next >= 97 && next <= 122) || next === 95);
  }

  value(): Literal {
    this.skip();
    const s = this.source;
    const code = s.charCodeAt(this.pos);
    if (code === 91 /* [ */ || code === 40 /* ( */) return this.list(code === 91 ? 93 : 41);
    if (code === 123 /* { */) return this.dict();
    if (code === 39 /* ' */ || code === 34 /* " */) return this.quoted(code);
    if ((code >= 48 && code <= 57) || code === 45 || code === 46) {
      NUMBER_RE.lastIndex = this.pos;
      const m = NUMBER_RE.exec(s);
      if (m) {
        this.pos += m[0].length;
        return { number: m[0] };
      }
    }
    if (this.word('None') || this.word('null')) {
      this.pos += 4;
      return null;
    }
    if (this.word('nan') || this.word('NaN')) {
      this.pos += 3;
      return null;
    }
    if (this.word('True') || this.word('true')) {
      this.pos += 4;
      return true;
    }
    if (this.word('False') || this.word('false')) {
      this.pos += 5;
      return false;
    }
    if (s.startsWith('Decimal(', this.pos)) {
      // BigQuery NUMERIC values as the Python client prints them: Decimal('-0.123')
      this.pos += 8;
      const inner = this.value();
      this.skip();
      if (s[this.pos] !== ')') this.fail('a Decimal');
      this.pos++;
      const n = typeof inner === 'string' ? decimal(inner) : isNumber(inner) ? decimal(inner.number) : null;
      return n === null ? this.fail('a Decimal') : { number: n };
    }
    return this.fail('a value');
  }

  private list(close: number): Literal[] {
    this.pos++;
    const items: Literal[] = [];
    this.skip();
    while (this.source.charCodeAt(this.pos) !== close) {
      items.push(this.value());
      this.skip();
      const c = this.source.charCodeAt(this.pos);
      if (c === 44 /* , */) {
        this.pos++;
        this.skip();
      } else if (c !== close) this.fail('a list');
    }
    this.pos++;
    return items;
  }

  private dict(): { [key: string]: Literal } {
    this.pos++;
    const out: { [key: string]: Literal } = {};
    this.skip();
    while (this.source.charCodeAt(this.pos) !== 125 /* } */) {
      const k = this.value();
      if (typeof k !== 'string') this.fail('a dict key');
      this.skip();
      if (this.source.charCodeAt(this.pos) !== 58 /* : */) this.fail('a dict');
      this.pos++;
      out[k as string] = this.value();
      this.skip();
      const c = this.source.charCodeAt(this.pos);
      if (c === 44) {
        this.pos++;
        this.skip();
      } else if (c !== 125) this.fail('a dict');
    }
    this.pos++;
    return out;
  }

  private quoted(quote: number): string {
    const s = this.source;
    this.pos++;
    const close = s.indexOf(String.fromCharCode(quote), this.pos);
    let plain = close >= 0;
    for (let k = this.pos; plain && k < close; k++) if (s.charCodeAt(k) === 92) plain = false;
    if (plain) {
      // No escapes before the closing quote: one slice.
      const out = s.slice(this.pos, close);
      this.pos = close + 1;
      return out;
    }
    let out = '';
    while (this.pos < s.length && s.charCodeAt(this.pos) !== quote) {
      const c = s[this.pos] as string;
      if (c === '\\' && this.pos + 1 < s.length) {
        const e = s[this.pos + 1] as string;
        this.pos += 2;
        if (e === 'n') out += '\n';
        else if (e === 't') out += '\t';
        else if (e === 'r') out += '\r';
        else if (e === 'u' || e === 'x') {
          const len = e === 'u' ? 4 : 2;
          out += String.fromCharCode(Number.parseInt(s.slice(this.pos, this.pos + len), 16));
          this.pos += len;
        } else out += e;
        continue;
      }
      out += c;
      this.pos++;
    }
    if (this.pos >= s.length) this.fail('a string');
    this.pos++;
    return out;
  }
}

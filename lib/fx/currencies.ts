/**
 * Which three-letter codes an FX file may name. Amounts elsewhere only need the ISO 4217 shape
 * (lib/schema.ts CurrencyCodeSchema); a rates file is checked against the code list too, so that a
 * typo ('UDS') is refused with its line instead of loading rates nobody's bill will ever use.
 *
 * The list is the ICU one Node ships (Intl.supportedValuesOf('currency'): current ISO 4217 codes),
 * plus the withdrawn codes the ECB's history file still has columns for (its rates there are
 * `N/A` since the currency was replaced by the euro or redenominated).
 */
const ECB_WITHDRAWN = ['CYP', 'EEK', 'LTL', 'LVL', 'MTL', 'ROL', 'SIT', 'SKK', 'TRL'] as const;

const KNOWN: ReadonlySet<string> = new Set([...Intl.supportedValuesOf('currency'), ...ECB_WITHDRAWN]);

/** The ISO 4217 shape: three upper-case letters. */
export const CURRENCY_CODE = /^[A-Z]{3}$/;

/** Why `code` cannot be a rate's currency, or null when it can. */
export function currencyProblem(code: string): string | null {
  if (!CURRENCY_CODE.test(code)) return `${JSON.stringify(code)} is not a currency code (three upper-case letters, ISO 4217)`;
  if (!KNOWN.has(code)) return `${code} is not an ISO 4217 currency code`;
  return null;
}

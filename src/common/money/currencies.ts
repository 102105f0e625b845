/**
 * The currencies livecart sells in, with their ISO 4217 minor-unit exponents,
 * and the conversions between what a person types or reads ("25.00", "¥2500")
 * and what the API carries: an integer amount of the currency's minor unit
 * (`priceCents` = 2500 for $25.00, 2500 for ¥2,500, 2500 for 2.500 KWD).
 *
 * Framework-free and import-free, like the room protocol: the browser imports
 * this file as it is, so the server's validation and the front end's entry and
 * display share one table.
 *
 * Every active ISO 4217 currency except the fund and accounting codes (BOV,
 * CHE, CHW, CLF, COU, MXV, USN, UYI, UYW) and the precious metals and testing
 * codes (X…, apart from the CFA, CFP and East Caribbean currencies).
 */

/** Minor-unit exponent (decimal places) by currency code; 2 unless listed otherwise below. */
const ZERO_DECIMALS = [
  'BIF',
  'CLP',
  'DJF',
  'GNF',
  'ISK',
  'JPY',
  'KMF',
  'KRW',
  'PYG',
  'RWF',
  'UGX',
  'VND',
  'VUV',
  'XAF',
  'XOF',
  'XPF',
] as const;
const THREE_DECIMALS = ['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND'] as const;
const TWO_DECIMALS = [
  'AED',
  'AFN',
  'ALL',
  'AMD',
  'ANG',
  'AOA',
  'ARS',
  'AUD',
  'AWG',
  'AZN',
  'BAM',
  'BBD',
  'BDT',
  'BGN',
  'BMD',
  'BND',
  'BOB',
  'BRL',
  'BSD',
  'BTN',
  'BWP',
  'BYN',
  'BZD',
  'CAD',
  'CDF',
  'CHF',
  'CNY',
  'COP',
  'CRC',
  'CUP',
  'CVE',
  'CZK',
  'DKK',
  'DOP',
  'DZD',
  'EGP',
  'ERN',
  'ETB',
  'EUR',
  'FJD',
  'FKP',
  'GBP',
  'GEL',
  'GHS',
  'GIP',
  'GMD',
  'GTQ',
  'GYD',
  'HKD',
  'HNL',
  'HTG',
  'HUF',
  'IDR',
  'ILS',
  'INR',
  'IRR',
  'JMD',
  'KES',
  'KGS',
  'KHR',
  'KPW',
  'KYD',
  'KZT',
  'LAK',
  'LBP',
  'LKR',
  'LRD',
  'LSL',
  'MAD',
  'MDL',
  'MGA',
  'MKD',
  'MMK',
  'MNT',
  'MOP',
  'MRU',
  'MUR',
  'MVR',
  'MWK',
  'MXN',
  'MYR',
  'MZN',
  'NAD',
  'NGN',
  'NIO',
  'NOK',
  'NPR',
  'NZD',
  'PAB',
  'PEN',
  'PGK',
  'PHP',
  'PKR',
  'PLN',
  'QAR',
  'RON',
  'RSD',
  'RUB',
  'SAR',
  'SBD',
  'SCR',
  'SDG',
  'SEK',
  'SGD',
  'SHP',
  'SLE',
  'SOS',
  'SRD',
  'SSP',
  'STN',
  'SVC',
  'SYP',
  'SZL',
  'THB',
  'TJS',
  'TMT',
  'TOP',
  'TRY',
  'TTD',
  'TWD',
  'TZS',
  'UAH',
  'USD',
  'UYU',
  'UZS',
  'VED',
  'VES',
  'WST',
  'XCD',
  'XCG',
  'YER',
  'ZAR',
  'ZMW',
  'ZWG',
] as const;

export type CurrencyCode =
  (typeof ZERO_DECIMALS)[number] | (typeof TWO_DECIMALS)[number] | (typeof THREE_DECIMALS)[number];

/** Every accepted currency and its exponent: 10^exponent minor units make one major unit. */
export const CURRENCIES: Readonly<Record<CurrencyCode, 0 | 2 | 3>> = Object.freeze({
  ...Object.fromEntries(ZERO_DECIMALS.map((c) => [c, 0])),
  ...Object.fromEntries(TWO_DECIMALS.map((c) => [c, 2])),
  ...Object.fromEntries(THREE_DECIMALS.map((c) => [c, 3])),
} as Record<CurrencyCode, 0 | 2 | 3>);

/** The accepted codes, sorted (for a select box). */
export const CURRENCY_CODES: readonly CurrencyCode[] = (Object.keys(CURRENCIES) as CurrencyCode[]).sort();

export function isCurrency(code: unknown): code is CurrencyCode {
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(CURRENCIES, code);
}

/** Decimal places of a currency (2 for USD, 0 for JPY, 3 for KWD); undefined for an unknown code. */
export function minorUnitExponent(code: string): number | undefined {
  return isCurrency(code) ? CURRENCIES[code] : undefined;
}

/** Largest amount in minor units the API accepts for one price. */
export const MAX_MINOR_UNITS = 2_000_000_000;

/**
 * A major-unit amount as typed by a person ("25", "25.5", "1,234.50" with
 * `,` as thousands separators, or a leading currency symbol stripped by the
 * caller) to minor units, exactly (no floating point): "25.00" USD → 2500,
 * "2500" JPY → 2500, "1.5" KWD → 1500. Returns undefined when the text is not
 * a non-negative amount with at most the currency's decimal places ("0.255"
 * USD, "10.5" JPY).
 */
export function toMinorUnits(text: string, code: string): number | undefined {
  const exp = minorUnitExponent(code);
  if (exp === undefined) return undefined;
  const t = text.trim().replace(/,(?=\d{3}(\D|$))/g, '');
  const m = /^(\d+)(?:\.(\d*))?$/.exec(t);
  if (!m) return undefined;
  const fraction = m[2] ?? '';
  if (fraction.length > exp) return undefined;
  const minor = Number(m[1] + fraction.padEnd(exp, '0'));
  return Number.isSafeInteger(minor) && minor <= MAX_MINOR_UNITS ? minor : undefined;
}

/** Minor units as a plain major-unit string with the currency's decimals: 2500 USD → "25.00", 2500 JPY → "2500". */
export function toMajorUnits(minor: number, code: string): string {
  const exp = minorUnitExponent(code) ?? 2;
  const sign = minor < 0 ? '-' : '';
  const digits = String(Math.abs(Math.trunc(minor))).padStart(exp + 1, '0');
  return exp === 0 ? `${sign}${digits}` : `${sign}${digits.slice(0, -exp)}.${digits.slice(-exp)}`;
}

/**
 * Intl.NumberFormat instances by locale and currency: constructing one loads
 * locale data and costs far more than a format, and a live page formats the
 * pinned price whenever its countdown changes. Bounded, as the locale may come
 * from a viewer's browser.
 */
const formatters = new Map<string, Intl.NumberFormat>();
const MAX_FORMATTERS = 64;

function formatterFor(code: string, exp: number, locale: string | undefined): Intl.NumberFormat {
  const key = `${locale ?? ''}|${code}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency: code,
      minimumFractionDigits: exp,
      maximumFractionDigits: exp,
    });
    if (formatters.size >= MAX_FORMATTERS) formatters.clear();
    formatters.set(key, f);
  }
  return f;
}

/**
 * Minor units for people, in a locale: 2500 USD → "$25.00", 2500 JPY → "¥2,500".
 * Uses Intl with the table's decimals (Intl's own may differ from ISO 4217).
 */
export function formatMoney(minor: number, code: string, locale?: string): string {
  const exp = minorUnitExponent(code) ?? 2;
  try {
    return formatterFor(code, exp, locale).format(minor / 10 ** exp);
  } catch {
    return `${toMajorUnits(minor, code)} ${code}`;
  }
}

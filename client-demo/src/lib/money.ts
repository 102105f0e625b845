// Money on screen: amounts are integers in minor units on the wire
// (`priceCents`), shown and typed in major units with the currency's own
// number of decimals (ISO 4217 exponent: USD 2, JPY 0, KWD 3). The table and
// the conversions are the server's own (src/common/money/currencies.ts); this
// file adds what a form needs: sentences for what was typed, and input steps.
import {
  CURRENCY_CODES,
  formatMoney as formatIn,
  MAX_MINOR_UNITS,
  minorUnitExponent,
  toMajorUnits,
} from '@shared/common/money/currencies';

/** The currencies a price can be in, with their names in English, for a select box. */
export const CURRENCY_CHOICES: readonly { code: string; name: string }[] = (() => {
  const names = new Intl.DisplayNames(['en'], { type: 'currency' });
  return CURRENCY_CODES.map((code) => ({ code, name: names.of(code) ?? code }));
})();

/** The currency's minor-unit exponent; 2 for a code the table does not know. */
export function exponentOf(currency: string): number {
  return minorUnitExponent(currency.toUpperCase()) ?? 2;
}

/** `formatMoney(2500, 'USD')` → `$25.00`; `formatMoney(1500, 'JPY')` → `¥1,500`. */
export function formatMoney(minor: number, currency: string, locale = 'en-US'): string {
  return formatIn(minor, currency.toUpperCase(), locale);
}

/** Minor units as the text a major-unit field shows: 2500 USD → `25.00`, 1500 JPY → `1500`. */
export function toMajorInput(minor: number, currency: string): string {
  return toMajorUnits(minor, currency.toUpperCase());
}

export type ParsedMoney = { ok: true; minor: number } | { ok: false; message: string };

/**
 * Reads a price typed in major units: `25`, `25.5`, `25.50`, `1,299.99`
 * (thousands separators are dropped). More decimals than the currency has, a
 * sign, or anything that is not a number is refused with a sentence to show.
 * Works in strings, so 0.29 is 29 minor units, not 28.999…. `noun` names the
 * amount in those sentences ("price", "amount" for a refund).
 */
export function parseMajor(text: string, currency: string, noun = 'price'): ParsedMoney {
  const digits = exponentOf(currency);
  const clean = text.trim().replace(/[,\s_]/g, '');
  if (clean === '') return { ok: false, message: `Enter ${article(noun)} ${noun}.` };
  const m = /^(\d+)(?:\.(\d*))?$/.exec(clean);
  if (!m) return { ok: false, message: `Enter ${article(noun)} ${noun} as a number, like 25 or 25.50.` };
  const whole = m[1] ?? '0';
  const frac = (m[2] ?? '').replace(/0+$/, '');
  if (frac.length > digits) {
    return {
      ok: false,
      message:
        digits === 0
          ? `${currency} has no decimals: enter a whole amount.`
          : `${currency} has ${digits} decimals at most.`,
    };
  }
  const minor = Number(whole) * 10 ** digits + Number(frac.padEnd(digits, '0') || '0');
  if (!Number.isSafeInteger(minor) || minor > MAX_MINOR_UNITS)
    return { ok: false, message: `That ${noun} is too large.` };
  return { ok: true, minor };
}

/** The `step` of a number input for the currency: 0.01, 1, 0.001. */
export function stepOf(currency: string): string {
  const digits = exponentOf(currency);
  return digits === 0 ? '1' : `0.${'0'.repeat(digits - 1)}1`;
}

const article = (noun: string): string => (/^[aeiou]/i.test(noun) ? 'an' : 'a');

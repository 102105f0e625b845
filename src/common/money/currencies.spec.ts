import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import {
  CURRENCY_CODES,
  formatMoney,
  isCurrency,
  minorUnitExponent,
  toMajorUnits,
  toMinorUnits,
} from './currencies';

describe('the currency table', () => {
  it('knows the ISO 4217 decimals: none for JPY, two for USD, three for KWD', () => {
    expect(minorUnitExponent('JPY')).toBe(0);
    expect(minorUnitExponent('KRW')).toBe(0);
    expect(minorUnitExponent('USD')).toBe(2);
    expect(minorUnitExponent('EUR')).toBe(2);
    expect(minorUnitExponent('KWD')).toBe(3);
    expect(minorUnitExponent('XXX')).toBeUndefined();
    expect(isCurrency('usd')).toBe(false);
    expect(isCurrency('toString')).toBe(false);
    expect(CURRENCY_CODES.length).toBeGreaterThan(140);
    expect(new Set(CURRENCY_CODES).size).toBe(CURRENCY_CODES.length);
  });

  it('turns what a person types into minor units exactly, refusing more decimals than the currency has', () => {
    expect(toMinorUnits('25.00', 'USD')).toBe(2500);
    expect(toMinorUnits('25', 'USD')).toBe(2500);
    expect(toMinorUnits('0.29', 'USD')).toBe(29); // 0.29 * 100 is 28.999… in floating point
    expect(toMinorUnits('1,234.5', 'EUR')).toBe(123450);
    expect(toMinorUnits('2500', 'JPY')).toBe(2500);
    expect(toMinorUnits('25.00', 'JPY')).toBeUndefined();
    expect(toMinorUnits('1.5', 'KWD')).toBe(1500);
    expect(toMinorUnits('0.255', 'USD')).toBeUndefined();
    expect(toMinorUnits('-1', 'USD')).toBeUndefined();
    expect(toMinorUnits('abc', 'USD')).toBeUndefined();
    expect(toMinorUnits('1', 'XXX')).toBeUndefined();
  });

  it('shows minor units in major units with the right decimals', () => {
    expect(toMajorUnits(2500, 'USD')).toBe('25.00');
    expect(toMajorUnits(5, 'USD')).toBe('0.05');
    expect(toMajorUnits(2500, 'JPY')).toBe('2500');
    expect(toMajorUnits(1500, 'KWD')).toBe('1.500');
    expect(formatMoney(2500, 'USD', 'en-US')).toBe('$25.00');
    expect(formatMoney(2500, 'JPY', 'en-US')).toBe('¥2,500');
  });

  it('makes one Intl.NumberFormat per locale and currency, not one per amount', () => {
    const made = jest.spyOn(Intl, 'NumberFormat');
    try {
      const texts = [100, 250, 999].map((minor) => formatMoney(minor, 'EUR', 'de-DE'));
      expect(texts).toEqual(['1,00 €', '2,50 €', '9,99 €'].map((t) => t.replace(' ', '\u00a0')));
      expect(formatMoney(100, 'EUR', 'en-US')).toBe('€1.00');
      expect(made).toHaveBeenCalledTimes(2);
    } finally {
      made.mockRestore();
    }
  });

  it('imports nothing, so a browser can load it as it is', () => {
    const file = fs.readFileSync(path.join(__dirname, 'currencies.ts'), 'utf8');
    expect(ts.preProcessFile(file).importedFiles).toEqual([]);
  });
});

import { exponentOf, formatMoney, parseMajor, stepOf, toMajorInput } from './money';

describe('money in major units', () => {
  it('knows each currency minor-unit exponent (JPY none, KWD three)', () => {
    expect(exponentOf('USD')).toBe(2);
    expect(exponentOf('jpy')).toBe(0);
    expect(exponentOf('KWD')).toBe(3);
    expect(exponentOf('XYZ')).toBe(2);
  });

  it('reads 25.00 typed for USD as 2500 cents, not 25', () => {
    expect(parseMajor('25.00', 'USD')).toEqual({ ok: true, minor: 2500 });
    expect(parseMajor('25', 'USD')).toEqual({ ok: true, minor: 2500 });
    expect(parseMajor('0.29', 'USD')).toEqual({ ok: true, minor: 29 });
    expect(parseMajor('1,299.5', 'USD')).toEqual({ ok: true, minor: 129950 });
    expect(parseMajor('1500', 'JPY')).toEqual({ ok: true, minor: 1500 });
    expect(parseMajor('1.234', 'KWD')).toEqual({ ok: true, minor: 1234 });
  });

  it('refuses more decimals than the currency has, signs and words, with a sentence', () => {
    expect(parseMajor('1.5', 'JPY')).toEqual({
      ok: false,
      message: 'JPY has no decimals: enter a whole amount.',
    });
    expect(parseMajor('1.005', 'USD')).toEqual({ ok: false, message: 'USD has 2 decimals at most.' });
    expect(parseMajor('-3', 'USD').ok).toBe(false);
    expect(parseMajor('abc', 'USD').ok).toBe(false);
    expect(parseMajor('', 'USD')).toEqual({ ok: false, message: 'Enter a price.' });
    expect(parseMajor('99999999999', 'USD').ok).toBe(false);
    expect(parseMajor('', 'USD', 'amount')).toEqual({ ok: false, message: 'Enter an amount.' });
    expect(parseMajor('ten', 'USD', 'amount')).toEqual({
      ok: false,
      message: 'Enter an amount as a number, like 25 or 25.50.',
    });
  });

  it('shows minor units in major units with the currency own decimals', () => {
    expect(formatMoney(2500, 'USD')).toBe('$25.00');
    expect(formatMoney(1500, 'JPY')).toBe('¥1,500');
    expect(toMajorInput(2500, 'USD')).toBe('25.00');
    expect(toMajorInput(1500, 'JPY')).toBe('1500');
    expect(stepOf('USD')).toBe('0.01');
    expect(stepOf('JPY')).toBe('1');
    expect(stepOf('KWD')).toBe('0.001');
  });
});

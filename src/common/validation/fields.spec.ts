import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { IsIsoDateTime, OptionalField, parseIsoDateTime, QueryInt, WholeNumber } from './fields';
import { plainLine } from './text';

describe('parseIsoDateTime', () => {
  it.each([
    '2026-11-22T10:00Z',
    '2026-11-22T10:00:00Z',
    '2026-11-22T10:00:00.123456+05:30',
    '2028-02-29T23:59:59-14:00',
  ])('reads %s', (s) => {
    expect(parseIsoDateTime(s)?.getTime()).toBe(new Date(s).getTime());
  });

  it.each([
    '2026-13-45T00:00Z',
    '2026-02-30T00:00:00Z',
    '2027-02-29T00:00:00Z',
    '2026-01-01T24:00:00Z',
    '2026-01-01T00:60:00Z',
    '2026-01-01T00:00:00+99:99',
    '2026-01-01T00:00:00',
    '+275760-09-13T00:00:00Z',
    '2026-11-22',
    'yesterday',
  ])('refuses %s', (s) => {
    expect(parseIsoDateTime(s)).toBeUndefined();
  });

  it('takes a plain date only when asked', () => {
    expect(parseIsoDateTime('2026-11-22', { dateOnly: true })?.toISOString()).toBe(
      '2026-11-22T00:00:00.000Z',
    );
  });
});

class Body {
  @OptionalField()
  @IsIsoDateTime()
  endsAt?: string;

  @OptionalField({ nullable: true })
  @IsIsoDateTime()
  clearable?: string | null;
}

class Query {
  @QueryInt(0, 1000)
  offset?: number;
}

const problems = (cls: new () => object, plain: object) =>
  validateSync(plainToInstance(cls, plain)).flatMap((e) => Object.values(e.constraints ?? {}));

describe('OptionalField', () => {
  it('skips an absent field, checks a null one unless nullable', () => {
    expect(problems(Body, {})).toEqual([]);
    expect(problems(Body, { clearable: null })).toEqual([]);
    expect(problems(Body, { endsAt: null })).toEqual([expect.stringContaining('endsAt must be an ISO 8601')]);
  });
});

describe('QueryInt', () => {
  it.each(['0', '17', '1000'])('takes %s', (v) => expect(problems(Query, { offset: v })).toEqual([]));
  it.each(['1e20', '9223372036854775808', '1.5', '-1', '0x10', ' 7', '1001', ''])('refuses %j', (v) => {
    expect(problems(Query, { offset: v })[0]).toBe('offset must be a whole number from 0 to 1000');
  });
});

class Counts {
  @WholeNumber(0, 100)
  stock = 0;

  @WholeNumber(1, 10, 'saleStock is counted in whole units')
  saleStock = 1;
}

describe('WholeNumber', () => {
  it('takes whole numbers in its range', () => {
    expect(problems(Counts, { stock: 100, saleStock: 10 })).toEqual([]);
  });

  it('says what is wrong, as each field said it when written out', () => {
    // All rules are checked: a fraction is under the minimum too.
    expect(problems(Counts, { stock: 1.5, saleStock: 0.5 })).toEqual([
      'stock must be a whole number',
      'saleStock must be at least 1',
      'saleStock is counted in whole units',
    ]);
    expect(problems(Counts, { stock: -1, saleStock: 11 })).toEqual([
      'stock must not be negative',
      'saleStock must not be greater than 10',
    ]);
  });
});

describe('plainLine', () => {
  it('removes control and bidi characters and trims', () => {
    expect(plainLine(' \u202eAna\u202c\u0007 \n')).toBe('Ana');
  });
});

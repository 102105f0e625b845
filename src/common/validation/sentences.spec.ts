import { IsEmail, IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { ValidationError } from '../errors/domain-errors';
import { labelOf, toSentence } from './sentences';
import { validationPipe } from './validation-pipe';

class PinLike {
  @IsUUID(undefined, { message: 'productId must be a UUID' })
  productId!: string;

  @IsOptional()
  @IsInt({ message: 'salePriceCents must be an integer number of minor units' })
  @Min(0, { message: 'salePriceCents must not be negative' })
  salePriceCents?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  perBuyerLimit?: number;
}

class StreamLike {
  @IsString()
  @MaxLength(140)
  title!: string;

  @IsOptional()
  @IsUUID(undefined, { message: 'Choose one of your shops from the list.' })
  merchantId?: string;

  @IsOptional()
  @IsEmail({}, { message: 'email must be a valid email address' })
  email?: string;

  @IsOptional()
  @IsIn(['a', 'b'])
  kind?: string;
}

async function refusal(
  metatype: new () => object,
  body: unknown,
): Promise<{ message: string; fields: string[] }> {
  try {
    await validationPipe().transform(body, { type: 'body', metatype });
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    const v = e as ValidationError;
    return {
      message: v.message,
      fields: (v.details!.fields as { field: string }[]).map((f) => f.field),
    };
  }
  throw new Error('accepted');
}

describe('validation messages are sentences', () => {
  it('names what the person filled in, not the property', async () => {
    expect(await refusal(PinLike, { productId: 'x', salePriceCents: 12.5 })).toEqual({
      message:
        "That is not a valid product id. Enter the sale price in whole cents (the currency's minor unit).",
      fields: ['productId', 'salePriceCents'],
    });
    expect((await refusal(PinLike, { productId: 'x', perBuyerLimit: 0 })).message).toContain(
      'The limit per buyer must be at least 1.',
    );
    expect((await refusal(PinLike, { productId: 'x', perBuyerLimit: 10_001 })).message).toContain(
      'The limit per buyer must be at most 10000.',
    );
  });

  it("keeps a DTO's own sentence and turns a rule that starts with the property into one", async () => {
    const r = await refusal(StreamLike, { title: 'x'.repeat(141), merchantId: 'shop@example.com' });
    expect(r.message).toBe(
      'The title must be at most 140 characters long. Choose one of your shops from the list.',
    );
    expect((await refusal(StreamLike, { title: 'x', email: 'nope' })).message).toBe(
      'The email must be a valid email address.',
    );
    expect((await refusal(StreamLike, { title: 'x', kind: 'c' })).message).toBe(
      'The reaction must be one of: a, b.',
    );
  });

  it('says which field is unknown, and says it once', async () => {
    const r = await refusal(StreamLike, { title: 'x', isAdmin: true });
    expect(r.message).toBe('“isAdmin” is not something this request accepts; leave it out.');
    expect(r.fields).toEqual(['isAdmin']);
  });

  it('never shows a camel-cased name or a rule name', async () => {
    const r = await refusal(PinLike, { productId: 1, salePriceCents: -1, perBuyerLimit: 'x' });
    expect(r.message).not.toMatch(/[a-z][A-Z]|UUID|integer number|should not/);
  });

  it('labels unknown names in words', () => {
    expect(labelOf('salePriceCents')).toBe('sale price');
    expect(labelOf('shippingFeeCents')).toBe('shipping fee');
    expect(labelOf('warehouseId')).toBe('warehouse');
    expect(toSentence({ field: 'a.0.fooBar', rule: 'isBoolean', message: 'fooBar must be a boolean' })).toBe(
      'The foo bar must be true or false.',
    );
  });
});

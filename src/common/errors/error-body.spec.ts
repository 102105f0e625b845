import { BadRequestException, ForbiddenException } from '@nestjs/common';
import { ConflictError, NotFoundError, RateLimitedError, UnavailableError } from './domain-errors';
import { mapError } from './error-body';

describe('mapError', () => {
  it('maps a domain error to its status, code and message', () => {
    expect(mapError(new NotFoundError('Product', 'p1'))).toMatchObject({
      status: 404,
      body: { error: { code: 'not_found', message: 'Product p1 not found' } },
    });
    expect(mapError(new ConflictError('Out of stock: Phone', 'out_of_stock'))).toMatchObject({
      status: 409,
      body: { error: { code: 'out_of_stock' } },
    });
  });

  it('sets Retry-After on rate limits', () => {
    expect(mapError(new RateLimitedError('slow down', 1.2)).headers).toEqual({ 'Retry-After': '2' });
    expect(mapError(new UnavailableError('busy', 'media_busy', 10)).headers).toEqual({ 'Retry-After': '10' });
    expect(mapError(new UnavailableError('down')).headers).toBeUndefined();
  });

  it('joins validation messages from Nest exceptions', () => {
    const m = mapError(
      new BadRequestException({ message: ['email must be an email', 'x should not exist'] }),
    );
    expect(m.status).toBe(400);
    expect(m.body.error.message).toBe('email must be an email; x should not exist');
    expect(mapError(new ForbiddenException()).body.error.code).toBe('forbidden');
  });

  it('maps body-parser errors to 4xx', () => {
    expect(
      mapError(
        Object.assign(new SyntaxError('Unexpected token'), { status: 400, type: 'entity.parse.failed' }),
      ),
    ).toMatchObject({ status: 400, body: { error: { message: expect.stringMatching(/^Malformed JSON/) } } });
    expect(
      mapError(Object.assign(new Error('too large'), { status: 413, type: 'entity.too.large' })).status,
    ).toBe(413);
  });

  it('hides internals of unknown errors behind a 500', () => {
    const m = mapError(new Error('password=hunter2 leaked'));
    expect(m.status).toBe(500);
    expect(JSON.stringify(m.body)).not.toContain('hunter2');
  });
});

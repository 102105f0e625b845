import { ConflictError, DomainError, RateLimitedError, UnavailableError } from './domain-errors';

describe('DomainError', () => {
  it('is an answer: no stack frames captured, but name, message, status and details kept', () => {
    const e = new ConflictError('Product p is sold out', 'sold_out', { productId: 'p' });
    expect(e).toBeInstanceOf(DomainError);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('ConflictError');
    expect(e.message).toBe('Product p is sold out');
    expect(e.status).toBe(409);
    expect(e.details).toEqual({ productId: 'p' });
    expect(e.stack ?? '').not.toMatch(/\n\s+at /);
    expect(new RateLimitedError('slow down', 2).details).toEqual({ retryAfterSeconds: 2 });
  });

  it('leaves the process-wide stack trace limit as it was', () => {
    const before = Error.stackTraceLimit;
    new ConflictError('x');
    expect(Error.stackTraceLimit).toBe(before);
    expect(new Error('plain').stack).toMatch(/\n\s+at /);
  });

  it('keeps the stack of a 5xx (logged by the filter as a fault)', () => {
    const e = new UnavailableError('database down');
    expect(e.status).toBe(503);
    expect(e.stack).toMatch(/^UnavailableError: database down\n\s+at /);
  });
});

import { randomBytes, scrypt, ScryptOptions, timingSafeEqual } from 'node:crypto';

function scryptAsync(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/**
 * scrypt (memory-hard) from Node's own crypto: no native add-on to build.
 * Stored as `scrypt$N$r$p$salt$hash` (base64), so the cost can be raised
 * later and old hashes still verify.
 */
export class PasswordHasher {
  constructor(
    private readonly cost = 1 << 15,
    private readonly blockSize = 8,
    private readonly parallelism = 1,
  ) {}

  private opts(N: number, r: number, p: number): ScryptOptions {
    return { N, r, p, maxmem: 256 * N * r + 1024 * 1024 };
  }

  async hash(password: string): Promise<string> {
    const salt = randomBytes(16);
    const key = await scryptAsync(password, salt, 32, this.opts(this.cost, this.blockSize, this.parallelism));
    return [
      'scrypt',
      this.cost,
      this.blockSize,
      this.parallelism,
      salt.toString('base64'),
      key.toString('base64'),
    ].join('$');
  }

  async verify(password: string, stored: string): Promise<boolean> {
    const parts = stored.split('$');
    if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
    const [N, r, p] = parts.slice(1, 4).map(Number);
    const salt = Buffer.from(parts[4], 'base64');
    const expected = Buffer.from(parts[5], 'base64');
    const key = await scryptAsync(password, salt, expected.length, this.opts(N, r, p));
    return timingSafeEqual(key, expected);
  }
}

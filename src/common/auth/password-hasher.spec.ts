import { PasswordHasher } from './password-hasher';

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher(1 << 10);

  it('verifies the right password and rejects a wrong one', async () => {
    const h = await hasher.hash('correct horse battery staple');
    expect(h).toMatch(/^scrypt\$1024\$8\$1\$/);
    await expect(hasher.verify('correct horse battery staple', h)).resolves.toBe(true);
    await expect(hasher.verify('correct horse battery stapl', h)).resolves.toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hasher.hash('pw')).not.toEqual(await hasher.hash('pw'));
  });

  it('still verifies hashes made with another cost', async () => {
    const old = await new PasswordHasher(1 << 11).hash('pw');
    await expect(hasher.verify('pw', old)).resolves.toBe(true);
  });

  it('rejects malformed stored hashes instead of throwing', async () => {
    await expect(hasher.verify('pw', 'plain-text')).resolves.toBe(false);
  });
});

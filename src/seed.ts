import 'reflect-metadata';
import { AuthService } from './auth/auth.service';
import { UsersRepository } from './auth/users.repository';
import { createApp } from './app.factory';
import { ProductsRepository } from './catalog/products.repository';
import { loadConfig } from './config/config';
import { resolveDatabase } from './database/database-url';
import type { Role } from './common/auth/roles';

/** Demo accounts; the password is the same for all and printed at the end. */
const PASSWORD = 'livecart-demo';
const ACCOUNTS: { email: string; name: string; roles: Role[] }[] = [
  { email: 'merchant@demo.livecart', name: 'Mia Merchant', roles: ['merchant'] },
  { email: 'streamer@demo.livecart', name: 'Sam Streamer', roles: ['streamer'] },
  { email: 'viewer@demo.livecart', name: 'Vic Viewer', roles: ['viewer'] },
  { email: 'admin@demo.livecart', name: 'Ada Admin', roles: ['admin'] },
];
const PRODUCTS = [
  { title: 'Aurora X smartphone 256 GB', priceCents: 69900, stock: 150000, sku: 'AUR-X-256', imageUrl: null },
  { title: 'Noise-cancelling earbuds', priceCents: 12900, stock: 500, sku: 'EAR-NC-01', imageUrl: null },
  { title: 'Fast charger 65 W', priceCents: 3900, stock: 2000, sku: 'CHG-65W', imageUrl: null },
  { title: 'Silk scarf, spring print', priceCents: 5900, stock: 120, sku: 'SCF-SPR-24', imageUrl: null },
];

async function seed(): Promise<void> {
  const config = { ...loadConfig(), logLevel: 'warn' as const };
  const db = await resolveDatabase(config, () => undefined);
  const app = await createApp(config, db.url);
  try {
    const users = app.get(UsersRepository);
    const auth = app.get(AuthService);
    const products = app.get(ProductsRepository);
    const ids: Record<string, string> = {};
    for (const a of ACCOUNTS) {
      const existing = await users.findByEmail(a.email);
      if (existing) {
        ids[a.email] = existing.id;
        continue;
      }
      const created = await auth.register({ email: a.email, password: PASSWORD, name: a.name, roles: [] });
      await users.setRoles(created.user.id, ['viewer', ...a.roles]);
      ids[a.email] = created.user.id;
    }
    const merchantId = ids['merchant@demo.livecart'];
    if ((await products.countByMerchant(merchantId)) === 0) {
      for (const p of PRODUCTS) {
        await products.create({ ...p, merchantId, currency: 'USD', description: '', digital: false });
      }
    }
    process.stdout.write(`\nDemo accounts (password: ${PASSWORD})\n`);
    for (const a of ACCOUNTS) process.stdout.write(`  ${a.roles.join(',').padEnd(9)} ${a.email}\n`);
    process.stdout.write(`Demo merchant id: ${merchantId}\n\n`);
  } finally {
    await app.close();
    // Stops an embedded database only if the seed started it and no app is using it.
    await db.embedded?.release();
  }
}

seed().catch((e: unknown) => {
  process.stderr.write(`seed failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});

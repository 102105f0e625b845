import { Client } from 'pg';
import { FUNCTIONS, type SqlFunction } from '../../src/database/functions';
import { createTestDatabase } from '../support/test-app';
import { readDefinitions, type Definitions } from './catalog';
import { migrateFresh } from './databases';

/**
 * src/database/functions/ is the one current truth of the SQL functions: a
 * database built from the migrations must hold exactly what those files say.
 * Each file's text is executed over the migrated database (in a transaction
 * that is rolled back), and the catalog must read the same before and after:
 * same functions, same bodies, same settings, same triggers.
 */
describe('SQL function files', () => {
  let db: { url: string; drop: () => Promise<void> };
  let pg: Client;
  let migrated: Definitions;

  beforeAll(async () => {
    db = await createTestDatabase();
    await migrateFresh(db.url);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    migrated = await readDefinitions(pg);
  });
  afterAll(async () => {
    await pg?.end();
    await db?.drop();
  });

  /** Runs `sql` in a transaction that is rolled back, and returns the definitions it left. */
  async function definitionsAfter(...sql: string[]): Promise<Definitions> {
    await pg.query('BEGIN');
    try {
      for (const s of sql) await pg.query(s);
      return await readDefinitions(pg);
    } finally {
      await pg.query('ROLLBACK');
    }
  }

  const texts = (fn: SqlFunction) => [fn.sql, ...(fn.trigger ? [fn.trigger.sql] : [])];

  it('has one file for every function and trigger of the migrated database, and nothing more', () => {
    expect(migrated.functions.map((f) => f.name).sort()).toEqual(FUNCTIONS.map((f) => f.name).sort());
    // One function per name: a file stands for its name, and an overload would have no file.
    expect(new Set(migrated.functions.map((f) => f.name)).size).toBe(migrated.functions.length);
    expect(migrated.triggers.map((t) => t.name).sort()).toEqual(
      FUNCTIONS.flatMap((f) => (f.trigger ? [f.trigger.name] : [])).sort(),
    );
  });

  it.each(FUNCTIONS.map((fn) => [fn.name, fn] as const))(
    '%s: the file creates exactly what the migrations created',
    async (_name, fn) => {
      expect(await definitionsAfter(...texts(fn))).toEqual(migrated);
    },
  );

  it.each(FUNCTIONS.map((fn) => [fn.name, fn] as const))(
    '%s: a file that differs from the database would be noticed',
    async (name, fn) => {
      const current = (d: Definitions) => d.functions.filter((f) => f.name === name);
      // One more line at the end of the body (before the closing dollar quote).
      const body = fn.sql.replace(/(\$\w*\$)\s*$/, '\n$1');
      expect(body).not.toBe(fn.sql);
      expect(current(await definitionsAfter(body))).not.toEqual(current(migrated));
      // Without its settings (CREATE OR REPLACE resets what it does not state).
      const setting = /\s+SET enable_seqscan = off/;
      if (setting.test(fn.sql)) {
        const unset = fn.sql.replace(setting, '');
        expect(unset).not.toBe(fn.sql);
        expect(current(await definitionsAfter(unset))).not.toEqual(current(migrated));
      }
      if (fn.trigger) {
        const trigger = (d: Definitions) => d.triggers.filter((t) => t.name === fn.trigger?.name);
        const renamed = fn.trigger.sql.replace(/ AS (\w+)/, ' AS $1_renamed');
        expect(renamed).not.toBe(fn.trigger.sql);
        expect(trigger(await definitionsAfter(renamed))).not.toEqual(trigger(migrated));
      }
    },
  );
});

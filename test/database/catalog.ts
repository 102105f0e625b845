import type { ClientBase } from 'pg';

/** Anything that runs SQL: a pg Client, or a pooled client. */
export type Queryable = Pick<ClientBase, 'query'>;

/** `<alias>` is not a member of an extension (uuid-ossp lives in `public` too). */
const notFromExtension = (catalog: string, oid: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '${catalog}'::regclass
     AND e.objid = ${oid} AND e.deptype = 'e')`;

export interface FunctionDefinition {
  /** Name and argument types, e.g. `reports_fold(integer)`. */
  signature: string;
  name: string;
  /** pg_get_functiondef: the whole CREATE statement, `SET` settings included. */
  definition: string;
  config: string[] | null;
}

export interface TriggerDefinition {
  name: string;
  table: string;
  definition: string;
}

export interface Definitions {
  functions: FunctionDefinition[];
  triggers: TriggerDefinition[];
}

/** Every function of schema `public` (but extensions') and every trigger that is not a constraint's. */
export async function readDefinitions(q: Queryable): Promise<Definitions> {
  const functions = await q.query<FunctionDefinition>(
    `SELECT p.oid::regprocedure::text AS signature, p.proname AS name,
            pg_get_functiondef(p.oid) AS definition, p.proconfig AS config
     FROM pg_proc p
     WHERE p.pronamespace = 'public'::regnamespace AND ${notFromExtension('pg_proc', 'p.oid')}
     ORDER BY 1`,
  );
  const triggers = await q.query<TriggerDefinition>(
    `SELECT t.tgname AS name, t.tgrelid::regclass::text AS "table", pg_get_triggerdef(t.oid) AS definition
     FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
     WHERE NOT t.tgisinternal AND c.relnamespace = 'public'::regnamespace
     ORDER BY 1, 2`,
  );
  return { functions: functions.rows, triggers: triggers.rows };
}

const PUBLIC = `'public'::regnamespace`;

/**
 * What `pg_dump --schema-only` would show, read from the catalogs so that it
 * works on any server the tests run against (the embedded PostgreSQL ships no
 * pg_dump): schemas, extensions, relations, columns, constraints, indexes,
 * sequences and what owns them, functions, triggers, views, types, rules,
 * policies and comments. Names, definitions and properties only; no OIDs, no
 * sequence positions, no rows.
 */
const SCHEMA_QUERIES: Record<string, string> = {
  schemas: `SELECT nspname FROM pg_namespace
            WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' ORDER BY 1`,
  extensions: `SELECT extname, extnamespace::regnamespace::text AS schema FROM pg_extension ORDER BY 1`,
  relations: `SELECT c.relname, c.relkind, c.relpersistence, c.relrowsecurity, c.relforcerowsecurity,
                     c.reloptions, c.relacl::text AS acl
              FROM pg_class c
              WHERE c.relnamespace = ${PUBLIC} AND ${notFromExtension('pg_class', 'c.oid')}
              ORDER BY 1`,
  columns: `SELECT c.relname, a.attname,
                   row_number() OVER (PARTITION BY c.oid ORDER BY a.attnum)::int AS position,
                   format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull,
                   pg_get_expr(d.adbin, d.adrelid) AS "default", a.attidentity, a.attgenerated,
                   co.collname, a.attacl::text AS acl
            FROM pg_attribute a
            JOIN pg_class c ON c.oid = a.attrelid
            LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            LEFT JOIN pg_collation co ON co.oid = a.attcollation
            WHERE c.relnamespace = ${PUBLIC} AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'c')
              AND a.attnum > 0 AND NOT a.attisdropped AND ${notFromExtension('pg_class', 'c.oid')}
            ORDER BY 1, 3`,
  constraints: `SELECT coalesce(conrelid::regclass::text, contypid::regtype::text) AS owner, conname, contype,
                       condeferrable, condeferred, convalidated, pg_get_constraintdef(oid) AS definition
                FROM pg_constraint WHERE connamespace = ${PUBLIC} ORDER BY 1, 2`,
  indexes: `SELECT c.relname AS index, i.indrelid::regclass::text AS "table",
                   pg_get_indexdef(i.indexrelid) AS definition
            FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
            WHERE c.relnamespace = ${PUBLIC} ORDER BY 1`,
  sequences: `SELECT sequencename, data_type::text, start_value, min_value, max_value, increment_by, cycle,
                     cache_size
              FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1`,
  sequenceOwners: `SELECT s.relname AS sequence, d.refobjid::regclass::text AS "table", a.attname, d.deptype
                   FROM pg_depend d
                   JOIN pg_class s ON d.classid = 'pg_class'::regclass AND s.oid = d.objid
                   JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                   WHERE s.relkind = 'S' AND s.relnamespace = ${PUBLIC} AND d.refclassid = 'pg_class'::regclass
                   ORDER BY 1, 2, 3`,
  views: `SELECT c.relname, pg_get_viewdef(c.oid) AS definition FROM pg_class c
          WHERE c.relnamespace = ${PUBLIC} AND c.relkind IN ('v', 'm') ORDER BY 1`,
  types: `SELECT t.typname, t.typtype, format_type(t.typbasetype, t.typtypmod) AS base, t.typnotnull,
                 t.typdefault,
                 (SELECT array_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_enum e
                  WHERE e.enumtypid = t.oid) AS labels
          FROM pg_type t
          WHERE t.typnamespace = ${PUBLIC} AND t.typtype IN ('d', 'e', 'r', 'm')
            AND ${notFromExtension('pg_type', 't.oid')}
          ORDER BY 1`,
  rules: `SELECT tablename, rulename, definition FROM pg_rules WHERE schemaname = 'public' ORDER BY 1, 2`,
  policies: `SELECT tablename, policyname, permissive, roles::text, cmd, qual, with_check
             FROM pg_policies WHERE schemaname = 'public' ORDER BY 1, 2`,
  comments: `SELECT pg_describe_object(classoid, objoid, objsubid) AS object, description
             FROM pg_description WHERE objoid >= 16384 ORDER BY 1`,
};

export type SchemaSnapshot = Record<string, unknown[]>;

export async function schemaSnapshot(q: Queryable): Promise<SchemaSnapshot> {
  const snapshot: SchemaSnapshot = {};
  for (const [part, sql] of Object.entries(SCHEMA_QUERIES)) snapshot[part] = (await q.query(sql)).rows;
  const defs = await readDefinitions(q);
  snapshot.functions = defs.functions.map(({ signature, definition, config }) => ({
    signature,
    definition,
    config,
  }));
  snapshot.triggers = defs.triggers;
  return snapshot;
}

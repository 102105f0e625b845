import type { DataState } from './old-database';

/**
 * What an upgrade must keep of an old database: every row of every table it
 * had, column by column, and its sequences and table identities. Later
 * migrations add columns (with defaults) and tables, so the state after an
 * upgrade is compared through what the old database had: its tables, their
 * old columns, its sequences. Rows are compared as sets (a new column can
 * change the order of `to_jsonb` texts).
 */
export function keptOf(after: DataState, before: DataState): Omit<DataState, 'migrations'> {
  const rows: DataState['rows'] = {};
  for (const [table, old] of Object.entries(before.rows)) {
    const columns = new Set(old.flatMap((r) => Object.keys(JSON.parse(r) as object)));
    rows[table] = (after.rows[table] ?? [])
      .map((r) => {
        const o = JSON.parse(r) as Record<string, unknown>;
        return JSON.stringify(Object.fromEntries(Object.entries(o).filter(([k]) => columns.has(k))));
      })
      .sort();
  }
  const pick = <T>(from: Record<string, T>, keys: Record<string, unknown>) =>
    Object.fromEntries(Object.keys(keys).map((k) => [k, from[k]]));
  return {
    rows,
    sequences: pick(after.sequences, before.sequences),
    tables: pick(after.tables, before.tables),
  };
}

/** The old state in the form keptOf gives. */
export function keptState(before: DataState): Omit<DataState, 'migrations'> {
  const rows: DataState['rows'] = {};
  for (const [table, old] of Object.entries(before.rows)) {
    rows[table] = old.map((r) => JSON.stringify(JSON.parse(r))).sort();
  }
  return { rows, sequences: before.sequences, tables: before.tables };
}

/**
 * # SQL functions and triggers: the one current truth
 *
 * Every SQL function of livecart (schema `public`) has one file here holding
 * its current full text: the whole `CREATE OR REPLACE FUNCTION` statement
 * with its settings (`SET enable_seqscan = off` …), and for a trigger
 * function the `CREATE OR REPLACE TRIGGER` statement beside it, with a short
 * comment saying why the function is the way it is. FUNCTIONS lists them all.
 *
 * Migrations are history and never change, so they never import these files:
 *
 *  - A migration that changes a function pastes the function's full new text
 *    (copied from its file at that time, settings included), never a text
 *    replacement on an earlier migration's text, and the same commit updates
 *    the function's file to that text.
 *  - A migration that adds a function or a trigger adds its file here (and to
 *    FUNCTIONS); one that drops one deletes its file.
 *
 * test/database/functions.e2e-spec.ts builds a fresh database from the
 * migrations and fails if any function or trigger in it differs from its
 * file, or if a function or trigger has no file, or a file no function.
 */
import { LC_RESERVE_READ } from './lc_reserve_read';
import { LC_RESERVE_WRITE } from './lc_reserve_write';
import { REPORT_JOURNAL_CREATED } from './report_journal_created';
import { REPORT_JOURNAL_MOVED } from './report_journal_moved';
import { REPORT_JOURNAL_REFUNDED } from './report_journal_refunded';
import { REPORTS_APPLY } from './reports_apply';
import { REPORTS_FOLD } from './reports_fold';
import { REPORTS_REBUILD } from './reports_rebuild';
import type { SqlFunction } from './sql-function';

export type { SqlFunction } from './sql-function';

export const FUNCTIONS: readonly SqlFunction[] = [
  LC_RESERVE_READ,
  LC_RESERVE_WRITE,
  REPORT_JOURNAL_CREATED,
  REPORT_JOURNAL_MOVED,
  REPORT_JOURNAL_REFUNDED,
  REPORTS_APPLY,
  REPORTS_FOLD,
  REPORTS_REBUILD,
];

/** One SQL function with its current full text, and the trigger that calls it if it is a trigger function. */
export interface SqlFunction {
  /** The function's name in schema `public` (one function per name: no overloads). */
  name: string;
  /** `CREATE OR REPLACE FUNCTION …` with every property (language, `SET` settings) and the body. */
  sql: string;
  trigger?: {
    name: string;
    /** `CREATE OR REPLACE TRIGGER …`. */
    sql: string;
  };
}

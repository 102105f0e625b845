import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONFIG_DOC_FILE, ENV_EXAMPLE_FILE, renderEnvExample, withOptionsTable } from './config-docs';
import { loadConfig } from './config';
import { OPTIONS } from './options';

const ROOT = path.resolve(__dirname, '../..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

/** Fails naming the file, the fix and the first line that differs. */
function expectUpToDate(file: string, actual: string, expected: string): void {
  if (actual === expected) return;
  const [a, e] = [actual.split('\n'), expected.split('\n')];
  let i = 0;
  while (a[i] === e[i]) i++;
  throw new Error(
    `${file} is out of date: run \`npm run config:docs\` and commit the result.\n` +
      `  line ${i + 1} is:       ${JSON.stringify(a[i] ?? '(end of file)')}\n` +
      `  generated it reads: ${JSON.stringify(e[i] ?? '(end of file)')}`,
  );
}

describe('configuration docs, generated from the option declarations', () => {
  it(`keeps ${ENV_EXAMPLE_FILE} as generated`, () => {
    expectUpToDate(ENV_EXAMPLE_FILE, read(ENV_EXAMPLE_FILE), renderEnvExample());
  });

  it(`keeps the options table of ${CONFIG_DOC_FILE} as generated`, () => {
    const doc = read(CONFIG_DOC_FILE);
    // Jest cannot load prettier 3 in-process (ES modules), so the expected doc is formatted by its CLI.
    const expected = execFileSync(
      process.execPath,
      [require.resolve('prettier/bin/prettier.cjs'), '--stdin-filepath', CONFIG_DOC_FILE],
      { cwd: ROOT, input: withOptionsTable(doc), encoding: 'utf8' },
    );
    expectUpToDate(CONFIG_DOC_FILE, doc, expected);
  });

  it('documents every variable loadConfig reads, and reads every documented one', () => {
    const names = new Set<string>();
    const empty: NodeJS.ProcessEnv = {};
    const env = new Proxy(empty, {
      get: (_t, name) => {
        if (typeof name === 'string') names.add(name);
        return undefined;
      },
    });
    loadConfig(env);
    expect([...names].sort()).toEqual(Object.keys(OPTIONS).sort());
  });

  it(`gives the defaults of ${ENV_EXAMPLE_FILE} as written`, () => {
    const env = Object.fromEntries(
      read(ENV_EXAMPLE_FILE)
        .split('\n')
        .filter((l) => /^[A-Z0-9_]+=/.test(l))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    expect(Object.keys(env).length).toBeGreaterThan(50);
    expect(loadConfig(env)).toEqual(loadConfig({}));
  });
});

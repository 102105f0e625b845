/**
 * `npm run config:docs`: writes `.env.example` and the options table of
 * docs/configuration.md from the option declarations (src/config/options.ts),
 * then lets prettier align the table. Run it after changing an option;
 * src/config/config-docs.spec.ts fails until you do.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CONFIG_DOC_FILE,
  ENV_EXAMPLE_FILE,
  OPTIONS_BEGIN,
  OPTIONS_END,
  renderEnvExample,
  withOptionsTable,
} from '../src/config/config-docs';

const root = path.resolve(__dirname, '..');
const doc = path.join(root, CONFIG_DOC_FILE);

fs.writeFileSync(path.join(root, ENV_EXAMPLE_FILE), renderEnvExample());
const prose = fs.existsSync(doc)
  ? fs.readFileSync(doc, 'utf8')
  : `# Configuration\n\nEvery option is an environment variable.\n\n${OPTIONS_BEGIN}\n${OPTIONS_END}\n`;
fs.writeFileSync(doc, withOptionsTable(prose));
execFileSync(process.execPath, [require.resolve('prettier/bin/prettier.cjs'), '--write', doc], {
  stdio: 'inherit',
});
process.stdout.write(`wrote ${ENV_EXAMPLE_FILE} and the options of ${CONFIG_DOC_FILE}\n`);

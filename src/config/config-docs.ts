import { OPTIONS, type Option } from './options';

/**
 * `.env.example` and the options table of docs/configuration.md, rendered
 * from the option declarations (options.ts), so the documented options,
 * defaults and descriptions are the ones loadConfig reads. Written by
 * `npm run config:docs` (scripts/config-docs.ts); config-docs.spec.ts fails
 * when a written file differs from what this renders.
 */

export const ENV_EXAMPLE_FILE = '.env.example';
export const CONFIG_DOC_FILE = 'docs/configuration.md';
export const OPTIONS_BEGIN = '<!-- options:begin -->';
export const OPTIONS_END = '<!-- options:end -->';

function bySection(): [string, Option[]][] {
  const sections = new Map<string, Option[]>();
  for (const o of Object.values(OPTIONS) as Option[]) {
    sections.set(o.section, [...(sections.get(o.section) ?? []), o]);
  }
  return [...sections];
}

/** The fixed default as it is written in an env file, or undefined when it is computed or absent. */
function fixedDefault(o: Option): string | undefined {
  if (o.default === undefined || o.defaultText !== undefined) return undefined;
  return String(o.default);
}

/** What values an option accepts, from its declaration. */
export function allowed(o: Option): string {
  switch (o.kind) {
    case 'int':
      return `integer ${o.min}..${o.max}`;
    case 'bool':
      return 'true | false';
    case 'enum':
      return o.values.join(' | ');
    case 'url':
      return `${o.protocols.join(' or ')} URL`;
    case 'ip':
      return o.auto ? 'IP address | auto' : 'IP address';
    case 'string':
      return 'text';
  }
}

export function renderEnvExample(): string {
  const lines = [
    '# livecart configuration: every option with its default. All are optional in the',
    '# embedded default; a bad value stops the boot with a message naming it.',
    '# Generated from src/config/options.ts by `npm run config:docs`: change the options there.',
  ];
  for (const [title, options] of bySection()) {
    lines.push('', `# ---- ${title} ----`);
    for (const o of options) {
      const computed = o.defaultText ? ` Default: ${o.defaultText}.` : '';
      lines.push(`# ${o.doc}${computed} [${allowed(o)}]`);
      const value = fixedDefault(o);
      if (value !== undefined) lines.push(`${o.name}=${value}`);
      else if (o.default !== undefined) lines.push(`# ${o.name}=${String(o.default)}`);
      else lines.push(`# ${o.name}=${o.example ?? ''}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

const cell = (s: string) => s.replace(/\|/g, '\\|');

/** Markdown, one table per section (prettier aligns the columns when the doc is written). */
export function renderOptionsTable(): string {
  const out: string[] = [];
  for (const [title, options] of bySection()) {
    out.push(
      `### ${title}`,
      '',
      '| Variable | Default | Values | Description |',
      '| --- | --- | --- | --- |',
    );
    for (const o of options) {
      const value = fixedDefault(o);
      const def = value !== undefined ? `\`${value === '' ? '""' : value}\`` : (o.defaultText ?? 'unset');
      out.push(`| \`${o.name}\` | ${cell(def)} | ${cell(allowed(o))} | ${cell(o.doc)} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

/** The doc with its options table (between the markers) replaced; the prose around it is kept. */
export function withOptionsTable(doc: string, table = renderOptionsTable()): string {
  const begin = doc.indexOf(OPTIONS_BEGIN);
  const end = doc.indexOf(OPTIONS_END);
  if (begin < 0 || end < begin) {
    throw new Error(`${CONFIG_DOC_FILE} needs the markers ${OPTIONS_BEGIN} and ${OPTIONS_END}`);
  }
  return `${doc.slice(0, begin + OPTIONS_BEGIN.length)}\n\n${table}\n${doc.slice(end)}`;
}

import { escapeHtml } from './share-tags';

/** What the head needs of a chunk of Vite's build manifest (dist/client/.vite/manifest.json). */
export interface ManifestChunk {
  file: string;
  imports?: string[];
  css?: string[];
}

/**
 * The shell's head for one page: its stylesheets and a `modulepreload` of its module and every
 * chunk that module imports, found in the build manifest. The shell's entry loads the page's
 * module only once it runs itself, and the module its imports after that: named in the head,
 * the browser fetches them all with the shell, and the page paints a round trip or two sooner
 * on a slow network. Vite's loader skips a stylesheet already linked by the same href.
 */
export function pagePreloads(manifest: Record<string, ManifestChunk>, page: string): string {
  const scripts = new Set<string>();
  const styles = new Set<string>();
  const visit = (key: string): void => {
    const chunk = manifest[key];
    if (!chunk || scripts.has(chunk.file)) return;
    scripts.add(chunk.file);
    for (const imported of chunk.imports ?? []) visit(imported);
    // After its imports' stylesheets, as Vite links them: a page's own rules win the cascade.
    for (const css of chunk.css ?? []) styles.add(css);
  };
  visit(`src/pages/${page}.ts`);
  return [
    ...[...styles].map((f) => `<link rel="stylesheet" crossorigin href="/${f}" />`),
    ...[...scripts].map((f) => `<link rel="modulepreload" crossorigin href="/${f}" />`),
  ].join('\n    ');
}

/** The shell with `head` added at the end of its <head>. */
export function withHead(shell: string, head: string): string {
  return head ? shell.replace('</head>', `    ${head}\n  </head>`) : shell;
}

/**
 * The watch page's head: its stream's poster, fetched at high priority with the shell. The player
 * shows it until the first frame, and it is the page's largest paint; named only in the script's
 * render, it would wait for the scripts, the stream's API call and a round trip of its own.
 */
export function posterPreload(posterUrl: string | null): string {
  return posterUrl
    ? `<link rel="preload" as="image" fetchpriority="high" href="${escapeHtml(posterUrl)}" />`
    : '';
}

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

/**
 * The layers, checked on every import of every TypeScript file in src/,
 * media/ and workers/ (type-only imports included: a type is a dependency
 * too, and the browser will import the room protocol).
 *
 *   src/*.ts            the composition root (app.module, app.factory, main, seed): may import anything
 *   src/<feature>/      a feature; may import kernels and, one way only, other features
 *   src/<kernel>/       shared pieces below the features; never import a feature
 *   media/              the media plane: plain TypeScript, no Nest, nothing from src/
 *   workers/            only the worker entry point (processors live beside their features)
 */
const KERNELS = [
  'config', // the one config tree, loaded and validated once
  'common', // auth guard, typed errors, HTTP platform, validation, logging
  'database', // data source, migrations, the SQL gateway
  'infra', // PubSub, StateStore, queues and processors, health registry
  'room', // the live-room protocol, its channels, publisher and cross-feature interfaces
  'metrics', // the Prometheus registry features add their metrics to
];

const ROOT = path.resolve(__dirname, '..');
const SCANNED = ['src', 'media', 'workers'];

function listTs(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return listTs(rel);
    return e.name.endsWith('.ts') ? [rel] : [];
  });
}

/** A relative import as the file it names (`./x` → `dir/x.ts` or `dir/x/index.ts`), or undefined for others. */
function resolveImport(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
  for (const candidate of [base, `${base}.ts`, `${base}/index.ts`]) {
    const file = path.join(ROOT, candidate);
    if (fs.existsSync(file) && fs.statSync(file).isFile()) return candidate;
  }
  return base;
}

interface Imports {
  /** Files of this repository each file imports. */
  files: Map<string, string[]>;
  /** Packages each file imports. */
  packages: Map<string, string[]>;
}

function readImports(): Imports {
  const files = new Map<string, string[]>();
  const packages = new Map<string, string[]>();
  for (const file of SCANNED.flatMap(listTs)) {
    const info = ts.preProcessFile(fs.readFileSync(path.join(ROOT, file), 'utf8'), true, true);
    const specs = info.importedFiles.map((f) => f.fileName);
    files.set(file, [
      ...new Set(specs.map((s) => resolveImport(file, s)).filter((f): f is string => f !== undefined)),
    ]);
    packages.set(
      file,
      specs.filter((s) => !s.startsWith('.')),
    );
  }
  return { files, packages };
}

/** The server files client-demo/src imports through its `@shared/*` alias (client-demo/tsconfig.json). */
function sharedFromClient(dir = 'client-demo/src'): string[] {
  const found = new Set<string>();
  for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) sharedFromClient(rel).forEach((f) => found.add(f));
    else if (e.name.endsWith('.ts'))
      for (const { fileName } of ts.preProcessFile(fs.readFileSync(path.join(ROOT, rel), 'utf8'), true, true)
        .importedFiles)
        if (fileName.startsWith('@shared/')) found.add(`src/${fileName.slice('@shared/'.length)}.ts`);
  }
  return [...found].sort();
}

/** What a file belongs to: `app` (src/*.ts), a feature or kernel name, `media`, `workers`, or `other`. */
function areaOf(file: string): string {
  const parts = file.split('/');
  if (parts[0] === 'src') return parts.length === 2 ? 'app' : parts[1];
  return parts[0] === 'media' || parts[0] === 'workers' ? parts[0] : 'other';
}
const isKernel = (area: string) => KERNELS.includes(area);
const isFeature = (file: string) =>
  file.startsWith('src/') && !isKernel(areaOf(file)) && areaOf(file) !== 'app';

/** Strongly connected components with more than one node (or a node that reaches itself), sorted. */
function tangles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const strong = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) !== idx.get(v)) return;
    const scc: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      scc.push(w);
    } while (w !== v);
    if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(scc.sort());
  };
  for (const v of [...graph.keys()].sort()) if (!idx.has(v)) strong(v);
  return found;
}

/** One cycle per tangle, as a path that ends where it starts. */
function cycles(graph: Map<string, string[]>): string[][] {
  return tangles(graph).map((scc) => cycleIn(graph, new Set(scc)));
}

/** One concrete cycle through the first node of a strongly connected component (breadth-first, shortest). */
function cycleIn(graph: Map<string, string[]>, scc: Set<string>): string[] {
  const start = [...scc].sort()[0];
  const prev = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of graph.get(v) ?? []) {
      if (!scc.has(w)) continue;
      if (w === start) {
        const path = [v];
        while (path[0] !== start) path.unshift(prev.get(path[0])!);
        return [...path, start];
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start];
}

describe('architecture', () => {
  const { files, packages } = readImports();
  const edges = [...files].flatMap(([from, tos]) => tos.map((to) => ({ from, to })));

  it('has no import cycle between files', () => {
    const found = cycles(files).map((c) => `cycle: ${c.join(' → ')}`);
    expect(found).toEqual([]);
  });

  it('has no cycle between features: a feature never imports one that imports it back', () => {
    const graph = new Map<string, string[]>();
    const example = new Map<string, string>();
    for (const { from, to } of edges) {
      const [a, b] = [areaOf(from), areaOf(to)];
      if (!isFeature(from) || !isFeature(to) || a === b) continue;
      graph.set(a, [...new Set([...(graph.get(a) ?? []), b])]);
      if (!example.has(`${a}→${b}`)) example.set(`${a}→${b}`, `${from} imports ${to}`);
    }
    const found = tangles(graph).map((scc) => {
      const c = cycleIn(graph, new Set(scc));
      const why = c.slice(1).map((b, i) => example.get(`${c[i]}→${b}`));
      return `features ${scc.join(', ')} depend on each other; one cycle: ${c.join(' → ')} (${why.join('; ')})`;
    });
    expect(found).toEqual([]);
  });

  it('keeps kernels below the features: a kernel imports only kernels', () => {
    const found = edges
      .filter(({ from, to }) => isKernel(areaOf(from)) && !isKernel(areaOf(to)))
      .map(({ from, to }) => `kernel ${areaOf(from)} imports ${areaOf(to)}: ${from} imports ${to}`);
    expect(found).toEqual([]);
  });

  it('has no cycle between kernels', () => {
    const graph = new Map<string, string[]>();
    for (const { from, to } of edges) {
      const [a, b] = [areaOf(from), areaOf(to)];
      if (isKernel(a) && isKernel(b) && a !== b) graph.set(a, [...new Set([...(graph.get(a) ?? []), b])]);
    }
    expect(cycles(graph).map((c) => `kernels in a cycle: ${c.join(' → ')}`)).toEqual([]);
  });

  it('lets only the entry points import the composition root (src/*.ts)', () => {
    const found = edges
      .filter(({ from, to }) => areaOf(to) === 'app' && areaOf(from) !== 'app' && from !== 'workers/main.ts')
      .map(({ from, to }) => `${from} imports the composition root ${to}`);
    expect(found).toEqual([]);
  });

  it('keeps media/ free of Nest and of src/', () => {
    const found = [
      ...edges
        .filter(({ from, to }) => areaOf(from) === 'media' && areaOf(to) !== 'media')
        .map(({ from, to }) => `${from} imports ${to}`),
      ...[...packages]
        .filter(([file]) => areaOf(file) === 'media')
        .flatMap(([file, pkgs]) =>
          pkgs.filter((p) => p.startsWith('@nestjs/')).map((p) => `${file} imports ${p}`),
        ),
    ];
    expect(found).toEqual([]);
  });

  it('keeps workers/ to its entry point, imported by nobody', () => {
    const found = [
      ...[...files.keys()]
        .filter((f) => areaOf(f) === 'workers' && f !== 'workers/main.ts')
        .map((f) => `${f}: workers/ holds only main.ts; a processor lives beside its feature in src/`),
      ...edges
        .filter(({ from, to }) => areaOf(to) === 'workers' && areaOf(from) !== 'workers')
        .map(({ from, to }) => `${from} imports ${to}`),
    ];
    expect(found).toEqual([]);
  });

  it('keeps every server file the browser imports (`@shared/*` in client-demo/) free of packages, down to what it imports', () => {
    const shared = new Set<string>();
    const named = sharedFromClient();
    const add = (file: string): void => {
      if (shared.has(file)) return;
      shared.add(file);
      for (const to of files.get(file) ?? [`${file}: not a file of src/`]) add(to);
    };
    named.forEach(add);
    expect(named).toContain('src/room/protocol.ts');
    const found = [...shared].flatMap((f) =>
      files.has(f) ? (packages.get(f) ?? []).map((p) => `${f} imports ${p}`) : [`${f} does not exist`],
    );
    expect(found).toEqual([]);
  });
});

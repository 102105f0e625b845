import { pagePreloads, posterPreload, withHead } from './page-preload';

describe('pagePreloads', () => {
  const manifest = {
    'index.html': { file: 'assets/index-1.js', imports: ['_page-1.js'] },
    'src/pages/watch.ts': {
      file: 'assets/watch-1.js',
      imports: ['_page-1.js', '_room-1.js'],
      css: ['assets/watch-1.css'],
    },
    '_page-1.js': { file: 'assets/page-1.js', css: ['assets/page-1.css'] },
    '_room-1.js': { file: 'assets/room-1.js', imports: ['_page-1.js'] },
  };

  it("names the page's stylesheets (its imports' first) and preloads its module and every chunk it imports, once each", () => {
    expect(pagePreloads(manifest, 'watch').split('\n    ')).toEqual([
      '<link rel="stylesheet" crossorigin href="/assets/page-1.css" />',
      '<link rel="stylesheet" crossorigin href="/assets/watch-1.css" />',
      '<link rel="modulepreload" crossorigin href="/assets/watch-1.js" />',
      '<link rel="modulepreload" crossorigin href="/assets/page-1.js" />',
      '<link rel="modulepreload" crossorigin href="/assets/room-1.js" />',
    ]);
  });

  it('names nothing for a page the build does not have', () => {
    expect(pagePreloads(manifest, 'nowhere')).toBe('');
    expect(withHead('<head></head>', '')).toBe('<head></head>');
  });

  it('adds the tags at the end of the head', () => {
    expect(withHead('<head><title>x</title></head><body>', '<link />')).toBe(
      '<head><title>x</title>    <link />\n  </head><body>',
    );
  });

  it("preloads a stream's poster at high priority, its address escaped, and nothing without one", () => {
    expect(posterPreload('https://live.example/hls/s1/poster.jpg?a=1&b="2"')).toBe(
      '<link rel="preload" as="image" fetchpriority="high" href="https://live.example/hls/s1/poster.jpg?a=1&amp;b=&quot;2&quot;" />',
    );
    expect(posterPreload(null)).toBe('');
  });
});

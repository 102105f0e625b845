import { siteTitle } from './pages';
/** What a share preview needs of a stream. */
export interface Shared {
  title: string;
  status: string;
  posterUrl: string | null;
  shop?: { name: string } | null;
}

/** Text for an HTML attribute or element: the five characters that could end it, escaped. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

/**
 * The watch page with the stream's Open Graph and Twitter card tags (title,
 * poster, address) in its head and its title as the document's, so a link
 * shared in a chat app shows a preview. Everything from the stream is escaped.
 */
export function shareTags(page: string, s: Shared, url: string): string {
  const what = s.status === 'ended' ? 'Replay' : s.status === 'created' ? 'Starting soon' : 'Live now';
  const description = s.shop?.name ? `${what} on livecart · ${s.shop.name}` : `${what} on livecart`;
  const tags: [string, string, string][] = [
    ['property', 'og:type', 'video.other'],
    ['property', 'og:site_name', 'livecart'],
    ['property', 'og:title', s.title],
    ['property', 'og:description', description],
    ['property', 'og:url', url],
    ...(s.posterUrl
      ? ([
          ['property', 'og:image', s.posterUrl],
          ['property', 'og:image:alt', s.title],
        ] as [string, string, string][])
      : []),
    ['name', 'twitter:card', s.posterUrl ? 'summary_large_image' : 'summary'],
    ['name', 'twitter:title', s.title],
    ['name', 'twitter:description', description],
    ...(s.posterUrl ? ([['name', 'twitter:image', s.posterUrl]] as [string, string, string][]) : []),
  ];
  const head = tags
    .map(([attr, key, value]) => `<meta ${attr}="${key}" content="${escapeHtml(value)}" />`)
    .join('\n    ');
  return page
    .replace(/<title>[^<]*<\/title>/, `<title>${escapeHtml(siteTitle(s.title))}</title>`)
    .replace('</head>', `    ${head}\n  </head>`);
}

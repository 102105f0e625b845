// Framework-free: the browser's one entry (client-demo/src/main.ts) imports it
// (`@shared/web/pages`) to pick the page module of a path, and the server
// (web.controller.ts) answers the same paths with the one HTML shell.

/**
 * The pages under their paths: each names its module, client-demo/src/pages/<name>.ts.
 * Every page is public: it asks for sign-in where it needs it, and every API
 * call it makes is guarded.
 */
export const PAGES = {
  '/': 'index',
  '/login': 'login',
  // An unknown stream id gets the watch page's own not-found view.
  '/watch/:id': 'watch',
  // livecart's checkout for the embeddable player (a popup window: ?stream=…&quantity=…&origin=…).
  '/buy': 'buy',
  // The shop: products and linked streamers.
  '/merchant': 'merchant',
  // The shop's orders: detail, fulfil with tracking, refund, CSV to fulfil.
  '/merchant/orders': 'merchant-orders',
  // Sales reports dashboard: charts, per-stream table, CSV.
  '/merchant/reports': 'reports',
  // The shop's webhooks: add, test-send, deliveries, retry.
  '/merchant/webhooks': 'webhooks',
  // A product as buyers read it: pictures, description, price, stock, the streams that showed it.
  '/products/:id': 'product',
  // My orders (the buyer's).
  '/orders': 'orders',
  // The simulated payment provider's hosted checkout (?session=…).
  '/checkout': 'checkout',
  // The streamer's studio: go live from the camera.
  '/studio': 'studio',
} as const;

export type PagePath = keyof typeof PAGES;
export type PageName = (typeof PAGES)[PagePath];

/**
 * Each page's document title until the page knows better (a stream's, a
 * product's: pages/page.ts setTitle): the server writes it into the shell it
 * sends, and the browser's entry sets it where no server did (the dev server).
 */
const TITLES: Readonly<Record<PageName, string>> = {
  index: 'livecart: live shopping',
  login: 'Sign in',
  watch: 'Watch',
  buy: 'Buy',
  merchant: 'My shop',
  'merchant-orders': 'Orders',
  reports: 'Sales reports',
  webhooks: 'Webhooks',
  product: 'Product',
  orders: 'My orders',
  checkout: 'Simulated payment',
  studio: 'Studio',
};

/** A document title: what is shown, then the site. */
export function siteTitle(text: string): string {
  return `${text} · livecart`;
}

/** The document title of a page: `<title> · livecart` (the home page's names the site first). */
export function pageTitle(name: PageName): string {
  return name === 'index' ? TITLES.index : siteTitle(TITLES[name]);
}

/** The built shell every page path is answered with (client-demo/index.html). */
export const PAGE_SHELL = 'index.html';

/** The page a location's path shows (a `:param` is one segment), or null. */
export function pageAt(pathname: string): PageName | null {
  const parts = pathname.split('/');
  for (const [route, name] of Object.entries(PAGES)) {
    const want = route.split('/');
    if (
      want.length === parts.length &&
      want.every((w, i) => (w.startsWith(':') ? parts[i] !== '' : w === parts[i]))
    )
      return name;
  }
  return null;
}

import { PAGES, pageAt, pageTitle } from './pages';

describe('pageAt', () => {
  it.each([
    ['/', 'index'],
    ['/login', 'login'],
    ['/watch/3f1c', 'watch'],
    ['/merchant', 'merchant'],
    ['/merchant/orders', 'merchant-orders'],
    ['/products/abc', 'product'],
    ['/checkout', 'checkout'],
  ])('finds the page of %s', (path, page) => {
    expect(pageAt(path)).toBe(page);
  });

  it.each(['/watch', '/watch/', '/watch/a/b', '/merchant/orders/x', '/nope', ''])(
    'finds no page for %s',
    (path) => {
      expect(pageAt(path)).toBeNull();
    },
  );
});

describe('pageTitle', () => {
  it('names the site after the page, and the site first on the home page', () => {
    expect(pageTitle('checkout')).toBe('Simulated payment · livecart');
    expect(pageTitle('reports')).toBe('Sales reports · livecart');
    expect(pageTitle('index')).toBe('livecart: live shopping');
  });

  it('has a title for every page', () => {
    for (const name of Object.values(PAGES)) expect(pageTitle(name)).not.toMatch(/^undefined/);
  });
});

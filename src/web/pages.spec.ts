import { pageAt } from './pages';

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

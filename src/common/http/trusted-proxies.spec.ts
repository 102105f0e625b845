import { clientIp, parseTrustedProxies, proxyTrust } from './trusted-proxies';

describe('TRUSTED_PROXIES', () => {
  it('reads names, addresses and ranges, and names bad entries', () => {
    expect(parseTrustedProxies('loopback, 10.1.2.3, 172.18.0.0/16, fd00::/8, none').problems).toEqual([]);
    expect(parseTrustedProxies('loopback,nginx,10.0.0.0/33').problems).toEqual([
      expect.stringContaining('"nginx"'),
      expect.stringContaining('"10.0.0.0/33"'),
    ]);
  });

  it('believes X-Forwarded-For only from trusted peers', () => {
    const loopback = proxyTrust('loopback');
    expect(clientIp('127.0.0.1', '203.0.113.9', loopback)).toBe('203.0.113.9');
    expect(clientIp('::ffff:127.0.0.1', '203.0.113.9', loopback)).toBe('203.0.113.9');
    // A client that is not a trusted proxy cannot pick its address.
    expect(clientIp('198.51.100.7', '203.0.113.9', loopback)).toBe('198.51.100.7');
    expect(clientIp('172.18.0.5', '203.0.113.9', loopback)).toBe('172.18.0.5');
  });

  it('walks hops from the right while they are trusted proxies', () => {
    const compose = proxyTrust('loopback,uniquelocal');
    expect(clientIp('172.18.0.5', '1.2.3.4, 203.0.113.9, 10.0.0.2', compose)).toBe('203.0.113.9');
    expect(clientIp('172.18.0.5', undefined, compose)).toBe('172.18.0.5');
    expect(clientIp('127.0.0.1', '203.0.113.9', proxyTrust('none'))).toBe('127.0.0.1');
  });
});

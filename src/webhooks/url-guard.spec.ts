import { isPrivateAddress, urlProblem } from './url-guard';

describe('webhook URL guard', () => {
  it('treats loopback, RFC 1918, link-local and unique-local addresses as private', () => {
    for (const a of [
      '127.0.0.1',
      '10.1.2.3',
      '172.20.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '::1',
      'fd00::1',
      'fe80::1',
      '0.0.0.0',
    ])
      expect(isPrivateAddress(a)).toBe(true);
  });

  it('sees through IPv4-mapped IPv6 addresses', () => {
    expect(isPrivateAddress('::ffff:127.0.0.1')).toBe(true);
    expect(isPrivateAddress('::ffff:7f00:1')).toBe(true);
    expect(isPrivateAddress('::ffff:8.8.8.8')).toBe(false);
  });

  it('lets public addresses through', () => {
    expect(isPrivateAddress('93.184.216.34')).toBe(false);
    expect(isPrivateAddress('2606:4700::1111')).toBe(false);
  });

  it('refuses URLs that are not http(s), carry credentials or name a private host', () => {
    expect(urlProblem('ftp://example.com/x', false)).toMatch(/http or https/);
    expect(urlProblem('not a url', false)).toMatch(/absolute/);
    expect(urlProblem('https://u:p@example.com/', false)).toMatch(/credentials/);
    expect(urlProblem('http://127.0.0.1:8080/hook', false)).toMatch(/private/);
    expect(urlProblem('http://[::1]/hook', false)).toMatch(/private/);
    expect(urlProblem('http://localhost/hook', false)).toMatch(/private/);
    expect(urlProblem('https://example.com/hook', false)).toBeNull();
  });

  it('allows private targets only when configured to', () => {
    expect(urlProblem('http://127.0.0.1:8080/hook', true)).toBeNull();
  });
});

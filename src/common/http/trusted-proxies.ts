import { BlockList, isIP } from 'node:net';

/** Which peers may tell us the client's address in `X-Forwarded-For`. */
export type ProxyTrust = (address: string, hop: number) => boolean;

/** Named ranges, as Express and Fastify (proxy-addr) spell them. */
const NAMED: Record<string, [string, number, 'ipv4' | 'ipv6'][]> = {
  loopback: [
    ['127.0.0.0', 8, 'ipv4'],
    ['::1', 128, 'ipv6'],
  ],
  linklocal: [
    ['169.254.0.0', 16, 'ipv4'],
    ['fe80::', 10, 'ipv6'],
  ],
  uniquelocal: [
    ['10.0.0.0', 8, 'ipv4'],
    ['172.16.0.0', 12, 'ipv4'],
    ['192.168.0.0', 16, 'ipv4'],
    ['fc00::', 7, 'ipv6'],
  ],
};

/**
 * Parses TRUSTED_PROXIES: a comma-separated list of addresses, CIDR ranges
 * and the names `loopback`, `linklocal`, `uniquelocal` (private networks,
 * e.g. a compose network), or `none`. Returns the problems of a bad list.
 */
export function parseTrustedProxies(spec: string): { list: BlockList; problems: string[] } {
  const list = new BlockList();
  const problems: string[] = [];
  for (const raw of spec.split(',')) {
    const entry = raw.trim().toLowerCase();
    if (entry === '' || entry === 'none') continue;
    const named = NAMED[entry];
    if (named) {
      for (const [net, prefix, type] of named) list.addSubnet(net, prefix, type);
      continue;
    }
    const [addr, prefixText] = entry.split('/', 2);
    const family = isIP(addr);
    const bits = family === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? bits : Number(prefixText);
    if (family === 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > bits) {
      problems.push(
        `TRUSTED_PROXIES entry "${raw.trim()}" must be an IP address, a CIDR range, loopback, linklocal, uniquelocal or none`,
      );
      continue;
    }
    list.addSubnet(addr, prefix, family === 4 ? 'ipv4' : 'ipv6');
  }
  return { list, problems };
}

const compiled = new Map<string, ProxyTrust>();

/** The trust function of a TRUSTED_PROXIES value (validated at boot), made once per value. */
export function proxyTrust(spec: string): ProxyTrust {
  let trust = compiled.get(spec);
  if (!trust) {
    const { list } = parseTrustedProxies(spec);
    trust = (address) => {
      const family = isIP(address);
      return family !== 0 && list.check(address, family === 4 ? 'ipv4' : 'ipv6');
    };
    compiled.set(spec, trust);
  }
  return trust;
}

/**
 * The client's address behind trusted proxies, as Fastify computes
 * `request.ip`: start at the socket's peer and walk `X-Forwarded-For` from
 * the right while the hop we stand on is a trusted proxy. A client that is
 * not behind a trusted proxy cannot choose its address with the header.
 */
export function clientIp(
  peer: string | undefined,
  forwardedFor: string | string[] | undefined,
  trust: ProxyTrust,
): string {
  let ip = peer || 'unknown';
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : (forwardedFor ?? ''))
    .split(',')
    .map((h) => h.trim())
    .filter((h) => h !== '');
  for (let hop = 0; hops.length > 0 && trust(ip, hop); hop++) ip = hops.pop()!;
  return ip;
}

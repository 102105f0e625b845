import * as os from 'node:os';
import type { BoolOption, EnumOption, IntOption, IpOption, StringOption, UrlOption } from './options';

/**
 * Reads declared options (options.ts) from an environment, dependency-free.
 * A bad value is recorded with its variable's name and the default is used,
 * so that one boot reports every bad variable at once, e.g.
 * `Invalid configuration: PORT must be an integer between 1 and 65535 (got "abc")`.
 */
export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export class EnvReader {
  readonly problems: string[] = [];
  constructor(private readonly env: NodeJS.ProcessEnv) {}

  private raw(name: string): string | undefined {
    const v = this.env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  }

  /** A default computed at boot (the option declares none), or the declared one. */
  private static fallback<T>(o: { name: string; default?: T }, def: T | undefined): T {
    if (def === undefined) throw new Error(`${o.name} declares no default and none was given`);
    return def;
  }

  string(o: StringOption & { default: string }): string;
  string(o: StringOption, def: string): string;
  string(o: StringOption): string | undefined;
  string(o: StringOption, def = o.default): string | undefined {
    return this.raw(o.name) ?? def;
  }

  int(o: IntOption, def = o.default): number {
    const v = this.raw(o.name);
    if (v === undefined) return EnvReader.fallback(o, def);
    const n = Number(v);
    if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(n) || n < o.min || n > o.max) {
      this.problems.push(`${o.name} must be an integer between ${o.min} and ${o.max} (got "${v}")`);
      return EnvReader.fallback(o, def);
    }
    return n;
  }

  bool(o: BoolOption, def = o.default): boolean {
    const v = this.raw(o.name)?.toLowerCase();
    if (v === undefined) return EnvReader.fallback(o, def);
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off'].includes(v)) return false;
    this.problems.push(`${o.name} must be true or false (got "${v}")`);
    return EnvReader.fallback(o, def);
  }

  oneOf<T extends string>(o: EnumOption<T>, def: T = o.default): T {
    const v = this.raw(o.name);
    if (v === undefined) return def;
    if (!(o.values as readonly string[]).includes(v)) {
      this.problems.push(`${o.name} must be one of ${o.values.join(', ')} (got "${v}")`);
      return def;
    }
    return v as T;
  }

  url(o: UrlOption): string | undefined {
    const v = this.raw(o.name);
    if (v === undefined) return undefined;
    try {
      const u = new URL(v);
      if (!o.protocols.includes(u.protocol)) {
        this.problems.push(`${o.name} must be a ${o.protocols.join(' or ')} URL (got "${u.protocol}")`);
        return undefined;
      }
      return v;
    } catch {
      this.problems.push(`${o.name} must be a URL (got "${v}")`);
      return undefined;
    }
  }

  ip(o: IpOption): string {
    const v = this.raw(o.name) ?? o.default;
    if (o.auto && v === 'auto') {
      const found = firstExternalIpv4();
      if (found) return found;
      this.problems.push(`${o.name}=auto found no non-loopback IPv4 address on this machine`);
      return o.default;
    }
    if (!/^(\d{1,3}\.){3}\d{1,3}$/.test(v) && !v.includes(':')) {
      this.problems.push(`${o.name} must be an IPv4 or IPv6 address (got "${v}")`);
      return o.default;
    }
    return v;
  }

  check(condition: boolean, problem: string): void {
    if (!condition) this.problems.push(problem);
  }
}

/** This machine's first non-loopback IPv4 address (inside a container: the container's own). */
export function firstExternalIpv4(
  nics: NodeJS.Dict<os.NetworkInterfaceInfo[]> = os.networkInterfaces(),
): string | undefined {
  for (const list of Object.values(nics)) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

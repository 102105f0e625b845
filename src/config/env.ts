/**
 * A tiny, dependency-free environment parser. Every read names its variable,
 * so a bad value stops the boot with a message such as
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

  string(name: string, def: string): string {
    return this.raw(name) ?? def;
  }

  optionalString(name: string): string | undefined {
    return this.raw(name);
  }

  int(name: string, def: number, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
    const v = this.raw(name);
    if (v === undefined) return def;
    const n = Number(v);
    if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(n) || n < min || n > max) {
      this.problems.push(`${name} must be an integer between ${min} and ${max} (got "${v}")`);
      return def;
    }
    return n;
  }

  bool(name: string, def: boolean): boolean {
    const v = this.raw(name)?.toLowerCase();
    if (v === undefined) return def;
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off'].includes(v)) return false;
    this.problems.push(`${name} must be true or false (got "${v}")`);
    return def;
  }

  oneOf<T extends string>(name: string, values: readonly T[], def: T): T {
    const v = this.raw(name);
    if (v === undefined) return def;
    if (!(values as readonly string[]).includes(v)) {
      this.problems.push(`${name} must be one of ${values.join(', ')} (got "${v}")`);
      return def;
    }
    return v as T;
  }

  url(name: string, protocols: string[]): string | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    try {
      const u = new URL(v);
      if (!protocols.includes(u.protocol)) {
        this.problems.push(`${name} must be a ${protocols.join(' or ')} URL (got "${u.protocol}")`);
        return undefined;
      }
      return v;
    } catch {
      this.problems.push(`${name} must be a URL (got "${v}")`);
      return undefined;
    }
  }

  ip(name: string, def: string): string {
    const v = this.raw(name) ?? def;
    if (!/^(\d{1,3}\.){3}\d{1,3}$/.test(v) && !v.includes(':')) {
      this.problems.push(`${name} must be an IPv4 or IPv6 address (got "${v}")`);
      return def;
    }
    return v;
  }

  check(condition: boolean, problem: string): void {
    if (!condition) this.problems.push(problem);
  }
}

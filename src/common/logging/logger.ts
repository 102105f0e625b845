import type { LoggerService, LogLevel } from '@nestjs/common';
import pino, { type Logger } from 'pino';

/**
 * The one pino logger of a process: JSON lines on stdout at the configured
 * level. Request lines (see http-hooks.ts) carry no headers; the redaction
 * below is a second guard should anything log a request or its headers.
 */
export function createRootLogger(level: string): Logger {
  return pino({
    level,
    redact: [
      'req.headers.authorization',
      'req.headers.cookie',
      'req.headers["x-signature"]',
      'headers.authorization',
      'headers.cookie',
    ],
  });
}

/**
 * Nest's Logger on top of pino, so `new Logger('Context').warn(...)` anywhere
 * in the app ends up as one JSON line with its context. Deliberately without
 * AsyncLocalStorage (what request-scoped loggers rely on): on Node 20 it
 * installs promise hooks that tax every promise of the process, and a flash
 * sale is made of promises.
 */
export class PinoLoggerService implements LoggerService {
  constructor(private readonly root: Logger) {}

  // Nest's levels as pino's: verbose is pino's trace.
  readonly log = this.at('info');
  readonly error = this.at('error');
  readonly warn = this.at('warn');
  readonly debug = this.at('debug');
  readonly verbose = this.at('trace');
  readonly fatal = this.at('fatal');
  setLogLevels(_levels: LogLevel[]): void {
    // The level is pino's, set from LOG_LEVEL at boot.
  }

  /** Nest passes (message, context) or, for errors, (message, stack, context). */
  private at(level: pino.Level): (message: unknown, ...rest: unknown[]) => void {
    return (message, ...rest) => this.write(level, message, rest);
  }

  private write(level: pino.Level, message: unknown, rest: unknown[]): void {
    if (!this.root.isLevelEnabled(level)) return;
    const context = typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    const stack = level === 'error' && typeof rest[0] === 'string' ? rest[0] : undefined;
    const fields: Record<string, unknown> = {};
    if (context) fields.context = context;
    if (stack) fields.stack = stack;
    if (message instanceof Error) {
      fields.err = message;
      this.root[level](fields, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.root[level]({ ...fields, ...(message as Record<string, unknown>) });
    } else {
      this.root[level](fields, String(message));
    }
  }
}

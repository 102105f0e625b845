import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { mapError } from './error-body';

/** The one place where thrown errors become HTTP replies and socket acks. */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('ErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const mapped = mapError(exception);
    if (mapped.status >= 500) {
      this.logger.error(
        exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
      );
    }
    if (host.getType() === 'ws') {
      // Socket events: reply through the ack callback when the client gave one.
      const args = host.getArgs<unknown[]>();
      const ack = args.find((a): a is (v: unknown) => void => typeof a === 'function');
      if (ack) ack(mapped.body);
      return;
    }
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;
    if (mapped.headers) res.set(mapped.headers);
    res.status(mapped.status).json(mapped.body);
  }
}

import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
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
    const res = host.switchToHttp().getResponse<FastifyReply>();
    if (res.sent) return;
    if (mapped.headers) res.headers(mapped.headers);
    void res.status(mapped.status).send(mapped.body);
  }
}

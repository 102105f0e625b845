import { timingSafeEqual } from 'node:crypto';
import { Controller, Get, Header, Inject, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../common/auth/decorators';
import { ForbiddenError, UnauthorizedError } from '../common/errors/domain-errors';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { MetricsService } from './metrics.service';

const isLoopback = (ip: string | undefined): boolean =>
  ip !== undefined && (ip === '::1' || ip.startsWith('127.') || ip.startsWith('::ffff:127.'));

/**
 * Prometheus metrics: request rates, orders, viewers and other business
 * figures, so not public. With METRICS_TOKEN set a scraper sends it as a
 * bearer token; without it only a direct request from this host (a loopback
 * peer, not relayed by a proxy: no X-Forwarded-For) is answered.
 */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  private readonly token?: Buffer;

  constructor(
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.token = config.metricsToken ? Buffer.from(config.metricsToken) : undefined;
  }

  // Public for the user guard: this route has its own credential.
  @Public()
  @Get()
  @Header('Cache-Control', 'no-store')
  scrape(@Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply): Promise<string> {
    this.authorize(req);
    // Set here, not with @Header: a refusal is a JSON error body.
    void res.header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8');
    return this.metrics.registry.metrics();
  }

  private authorize(req: FastifyRequest): void {
    if (this.token) {
      const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
      const given = Buffer.from(m?.[1] ?? '');
      if (given.length !== this.token.length || !timingSafeEqual(given, this.token)) {
        throw new UnauthorizedError('Metrics need the METRICS_TOKEN bearer token');
      }
      return;
    }
    if (!isLoopback(req.socket.remoteAddress) || req.headers['x-forwarded-for'] !== undefined) {
      throw new ForbiddenError(
        'Metrics are served to direct requests from this host only; set METRICS_TOKEN to scrape from elsewhere',
      );
    }
  }
}

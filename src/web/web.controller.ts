import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply as Response } from 'fastify';
import type {} from '@fastify/static'; // reply.sendFile
import { Public } from '../common/auth/decorators';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { CLIENT_DIR, contentSecurityPolicy } from './client-dir';

/**
 * The browser pages (built from client-demo/ into dist/client/) under friendly
 * paths; their scripts and styles are served statically (app.factory.ts).
 * Every page is public: it asks for sign-in, and every API call it makes is
 * guarded.
 */
@ApiExcludeController()
@Controller()
export class WebController {
  private readonly csp: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.csp = contentSecurityPolicy(config.http.publicUrl);
  }

  private page(res: Response, file: string): void {
    if (!CLIENT_DIR) {
      void res
        .status(503)
        .type('text/plain; charset=utf-8')
        .send(
          'The front end is not built: run `npm start` (or `npx vite build --config client-demo/vite.config.ts`).',
        );
      return;
    }
    // sendFile comes from @fastify/static (registered on CLIENT_DIR in app.factory.ts).
    void res
      .header('Cache-Control', 'no-cache')
      .header('Content-Security-Policy', this.csp)
      .header('X-Content-Type-Options', 'nosniff')
      .header('Referrer-Policy', 'same-origin')
      .sendFile(file, { cacheControl: false });
  }

  @Public()
  @Get()
  index(@Res() res: Response): void {
    this.page(res, 'index.html');
  }

  @Public()
  @Get('login')
  login(@Res() res: Response): void {
    this.page(res, 'login.html');
  }

  /** The watch page; an unknown stream id gets its not-found view from the page itself. */
  @Public()
  @Get('watch/:id')
  watch(@Res() res: Response): void {
    this.page(res, 'watch.html');
  }

  /** The shop: products and linked streamers. */
  @Public()
  @Get('merchant')
  merchant(@Res() res: Response): void {
    this.page(res, 'merchant.html');
  }

  /** The shop's orders: filter, fulfil, refund. */
  @Public()
  @Get('merchant/orders')
  merchantOrders(@Res() res: Response): void {
    this.page(res, 'merchant-orders.html');
  }

  /** Sales reports dashboard: charts, per-stream table, CSV. */
  @Public()
  @Get('merchant/reports')
  merchantReports(@Res() res: Response): void {
    this.page(res, 'reports.html');
  }

  /** My orders (the buyer's). */
  @Public()
  @Get('orders')
  orders(@Res() res: Response): void {
    this.page(res, 'orders.html');
  }

  /** The simulated payment provider's hosted checkout (?session=…). */
  @Public()
  @Get('checkout')
  checkout(@Res() res: Response): void {
    this.page(res, 'checkout.html');
  }

  /** The streamer's studio. */
  @Public()
  @Get('studio')
  studio(@Res() res: Response): void {
    this.page(res, 'studio.html');
  }
}

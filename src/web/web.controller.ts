import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply as Response, FastifyRequest as Request } from 'fastify';
import type {} from '@fastify/static'; // reply.sendFile
import { Public } from '../common/auth/decorators';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { CLIENT_DIR, contentSecurityPolicy } from './client-dir';

/**
 * The browser pages (built from client-demo/ into dist/client/) under friendly
 * paths; their scripts and styles are served statically (app.factory.ts).
 * Every page is public: it asks for sign-in where it needs it, and every API
 * call it makes is guarded. An unknown stream id gets the watch page's own
 * not-found view.
 */
const PAGES: Readonly<Record<string, string>> = {
  '/': 'index.html',
  '/login': 'login.html',
  '/watch/:id': 'watch.html',
  // The shop: products and linked streamers.
  '/merchant': 'merchant.html',
  // The shop's orders: detail, fulfil with tracking, refund, CSV to fulfil.
  '/merchant/orders': 'merchant-orders.html',
  // Sales reports dashboard: charts, per-stream table, CSV.
  '/merchant/reports': 'reports.html',
  // The shop's webhooks: add, test-send, deliveries, retry.
  '/merchant/webhooks': 'webhooks.html',
  // A product as buyers read it: pictures, description, price, stock, the streams that showed it.
  '/products/:id': 'product.html',
  // My orders (the buyer's).
  '/orders': 'orders.html',
  // The simulated payment provider's hosted checkout (?session=…).
  '/checkout': 'checkout.html',
  // The streamer's studio: go live from the camera.
  '/studio': 'studio.html',
};

@ApiExcludeController()
@Controller()
export class WebController {
  private readonly csp: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.csp = contentSecurityPolicy(config.http.publicUrl);
  }

  /** One route per page (Nest registers each path of the list), answered with its file. */
  @Public()
  @Get(Object.keys(PAGES))
  page(@Req() req: Request, @Res() res: Response): void {
    if (!CLIENT_DIR) {
      void res
        .status(503)
        .type('text/plain; charset=utf-8')
        .send('The front end is not built: run `npm start` (or `npm run build:client`).');
      return;
    }
    const file = PAGES[req.routeOptions.url ?? ''];
    // sendFile comes from @fastify/static (registered on CLIENT_DIR in app.factory.ts).
    void res
      .header('Cache-Control', 'no-cache')
      .header('Content-Security-Policy', this.csp)
      .header('X-Content-Type-Options', 'nosniff')
      .header('Referrer-Policy', 'same-origin')
      .sendFile(file, { cacheControl: false });
  }
}

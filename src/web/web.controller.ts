import * as fs from 'node:fs';
import * as path from 'node:path';
import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply as Response, FastifyRequest as Request } from 'fastify';
import type {} from '@fastify/static'; // reply.sendFile
import { Public } from '../common/auth/decorators';

/** client-demo/ at the project root, found from src/web (ts) or dist/src/web (built). */
export const CLIENT_DIR = ((): string => {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'client-demo');
    if (fs.existsSync(path.join(candidate, 'index.html'))) return candidate;
  }
  throw new Error('client-demo/ not found above ' + __dirname);
})();

/**
 * The browser pages (client-demo/) under friendly paths; assets are served statically. Every
 * page is public: a page asks for sign-in where it needs it, and every API call it makes is
 * guarded.
 */
const PAGES: Readonly<Record<string, string>> = {
  '/': 'index.html',
  '/login': 'login.html',
  '/watch/:id': 'watch.html',
  // Shop management: products, linked streamers, orders.
  '/merchant': 'merchant.html',
  // Sales reports dashboard: charts, per-stream table, CSV.
  '/merchant/reports': 'reports.html',
  // My orders.
  '/orders': 'orders.html',
  // The simulated payment provider's hosted checkout (?session=…).
  '/checkout': 'checkout.html',
  // The streamer's studio: go live from the camera.
  '/studio': 'studio.html',
};

@ApiExcludeController()
@Controller()
export class WebController {
  /** One route per page (Nest registers each path of the list), answered with its file. */
  @Public()
  @Get(Object.keys(PAGES))
  page(@Req() req: Request, @Res() res: Response): void {
    const file = PAGES[req.routeOptions.url ?? ''];
    // sendFile comes from @fastify/static (registered on CLIENT_DIR in app.factory.ts).
    void res.header('Cache-Control', 'no-cache').sendFile(file, { cacheControl: false });
  }
}

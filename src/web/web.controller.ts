import * as fs from 'node:fs';
import * as path from 'node:path';
import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply as Response } from 'fastify';
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

/** The browser pages (client-demo/) under friendly paths; assets are served statically. */
@ApiExcludeController()
@Controller()
export class WebController {
  private page(res: Response, file: string): void {
    // sendFile comes from @fastify/static (registered on CLIENT_DIR in app.factory.ts).
    void res.header('Cache-Control', 'no-cache').sendFile(file, { cacheControl: false });
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

  @Public()
  @Get('watch/:id')
  watch(@Res() res: Response): void {
    this.page(res, 'watch.html');
  }

  /** Shop management: products, linked streamers, orders (merchant API calls are guarded). */
  @Public()
  @Get('merchant')
  merchant(@Res() res: Response): void {
    this.page(res, 'merchant.html');
  }

  /** Sales reports dashboard: charts, per-stream table, CSV (the report API calls are guarded). */
  @Public()
  @Get('merchant/reports')
  merchantReports(@Res() res: Response): void {
    this.page(res, 'reports.html');
  }

  /** My orders (the buyer's API calls are guarded). */
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

  /** The page itself is public; it asks for sign-in and every API call it makes is guarded. */
  @Public()
  @Get('studio')
  studio(@Res() res: Response): void {
    this.page(res, 'studio.html');
  }
}

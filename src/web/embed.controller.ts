import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply as Response, FastifyRequest as Request } from 'fastify';
import type {} from '@fastify/static'; // reply.sendFile
import { Public } from '../common/auth/decorators';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { CLIENT_DIR, mayEmbed } from './client-dir';

/**
 * The embeddable player for other sites: `/embed.js` (an ES module, built by
 * client-demo/vite.config.ts into dist/client/embed/) and its types,
 * `/embed.d.ts`. A module script from another origin is fetched with CORS, so
 * only the sites of EMBED_ALLOWED_ORIGINS get an Access-Control-Allow-Origin
 * and may run it; its hls.js chunk (/embed/hls-*.js) and the reads it makes
 * (HLS, WHEP, the live room) follow CORS_ORIGINS like the rest of the API.
 */
@ApiExcludeController()
@Controller()
export class EmbedController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @Public()
  @Get(['/embed.js', '/embed.d.ts'])
  async script(@Req() req: Request, @Res() res: Response): Promise<void> {
    if (!CLIENT_DIR) {
      void res
        .status(503)
        .type('text/plain; charset=utf-8')
        .send('The front end is not built: run `npm start` (or `npm run build:client`).');
      return;
    }
    const origins = this.config.http.embedOrigins;
    const origin = req.headers.origin;
    // Decided here, not by the API's CORS (registered for every route): this file is for embedding sites.
    res.removeHeader('Access-Control-Allow-Origin');
    res.removeHeader('Access-Control-Allow-Credentials');
    if (origins === '*') void res.header('Access-Control-Allow-Origin', '*');
    else if (mayEmbed(origin, origins)) void res.header('Access-Control-Allow-Origin', origin!);
    const name = path.posix.basename(req.routeOptions.url ?? '');
    void res
      .header('Vary', 'Origin')
      // Fixed name: revalidated every time (ETag), so a deploy reaches every shop at once.
      .header('Cache-Control', 'no-cache')
      .header('Cross-Origin-Resource-Policy', 'cross-origin')
      .header('X-Content-Type-Options', 'nosniff');
    // By its extension a .ts file would be sent as an MPEG transport stream.
    if (name.endsWith('.d.ts'))
      void res
        .type('text/plain; charset=utf-8')
        .send(await fs.readFile(path.join(CLIENT_DIR, 'embed', name), 'utf8'));
    else void res.sendFile(`embed/${name}`, { cacheControl: false });
  }
}

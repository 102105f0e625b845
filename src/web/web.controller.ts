import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply as Response, FastifyRequest as Request } from 'fastify';
import type {} from '@fastify/static'; // reply.sendFile
import { Public } from '../common/auth/decorators';
import { MissingError } from '../common/errors/domain-errors';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { StreamsService } from '../streams/streams.service';
import {
  CLIENT_DIR,
  contentSecurityPolicy,
  embedFrameAncestors,
  mayEmbed,
  ownFrameAncestors,
} from './client-dir';
import { PAGE_SHELL, PAGES, pageTitle, type PagePath } from './pages';
import { pagePreloads, posterPreload, withHead, type ManifestChunk } from './page-preload';
import { escapeHtml, shareTags } from './share-tags';

/**
 * The browser pages (built from client-demo/ into dist/client/) under friendly
 * paths (./pages.ts), each answered with the one HTML shell, whose script
 * loads the page of the path; their scripts and styles are served statically
 * (app.factory.ts). Every page is public: it asks for sign-in where it needs
 * it, and every API call it makes is guarded.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@ApiExcludeController()
@Controller()
export class WebController {
  /** Per page: the watch page may be framed by embedding sites, the provider's page is its own. */
  private readonly csp: { own: string; watch: string; provider: string };
  private readonly publicUrl: string;
  private readonly embedOrigins: string[] | '*';
  /**
   * Each page's HTML (the shell with its preloads), read once: the build does not change under
   * a running server, and every viewer who opens a stream asks for it.
   */
  private readonly pages = new Map<PagePath, Promise<string>>();

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly streams: StreamsService,
  ) {
    const { publicUrl, embedOrigins } = config.http;
    this.publicUrl = publicUrl;
    this.embedOrigins = embedOrigins;
    this.csp = {
      own: contentSecurityPolicy(publicUrl, ownFrameAncestors(publicUrl)),
      watch: contentSecurityPolicy(publicUrl, embedFrameAncestors(publicUrl, embedOrigins)),
      provider: contentSecurityPolicy(publicUrl),
    };
  }

  /** One route per page (Nest registers each path of the list), each answered with the shell. */
  @Public()
  @Get(Object.keys(PAGES))
  async page(@Req() req: Request, @Res() res: Response): Promise<void> {
    if (!CLIENT_DIR) {
      void res
        .status(503)
        .type('text/plain; charset=utf-8')
        .send('The front end is not built: run `npm start` (or `npm run build:client`).');
      return;
    }
    const route = (req.routeOptions.url ?? '') as PagePath;
    const opener = (req.query as { origin?: unknown }).origin;
    if (route === '/buy' && typeof opener === 'string' && !mayEmbed(opener, this.embedOrigins)) {
      // The popup would report the purchase to that origin: only to a site allowed to embed the player.
      void res
        .status(403)
        .type('text/plain; charset=utf-8')
        .send(`${opener} is not a site allowed to embed livecart's player (EMBED_ALLOWED_ORIGINS).`);
      return;
    }
    void res
      .header('Cache-Control', 'no-cache')
      .header(
        'Content-Security-Policy',
        route === '/watch/:id' ? this.csp.watch : route === '/checkout' ? this.csp.provider : this.csp.own,
      )
      .header('X-Content-Type-Options', 'nosniff')
      .header('Referrer-Policy', 'same-origin');
    const html = await this.pageHtml(CLIENT_DIR, route);
    if (route === '/watch/:id') {
      // Share links: the stream's title and poster for chat apps' previews (Open Graph, Twitter
      // card); the poster preloaded for the player.
      const id = (req.params as { id?: string }).id ?? '';
      const stream = UUID.test(id) ? await this.streams.get(id).catch(() => null) : null;
      void res
        .type('text/html; charset=utf-8')
        .send(
          stream
            ? withHead(
                shareTags(html, stream, `${this.publicUrl}/watch/${stream.id}`),
                posterPreload(stream.posterUrl),
              )
            : html,
        );
      return;
    }
    void res.type('text/html; charset=utf-8').send(html);
  }

  private pageHtml(dir: string, route: PagePath): Promise<string> {
    let html = this.pages.get(route);
    if (!html) {
      html = Promise.all([
        fs.readFile(path.join(dir, PAGE_SHELL), 'utf8'),
        fs.readFile(path.join(dir, '.vite', 'manifest.json'), 'utf8'),
      ]).then(([shell, manifest]) =>
        withHead(
          shell.replace(/<title>[^<]*<\/title>/, `<title>${escapeHtml(pageTitle(PAGES[route]))}</title>`),
          pagePreloads(JSON.parse(manifest) as Record<string, ManifestChunk>, PAGES[route]),
        ),
      );
      // A failed read is tried again by the next request.
      html.catch(() => this.pages.delete(route));
      this.pages.set(route, html);
    }
    return html;
  }

  /**
   * The site's icon (client-demo/public/favicon.svg) where browsers look for it unasked: a page
   * that names no icon gets a request for /favicon.ico, and its 404 is an error in the console.
   */
  @Public()
  @Get('favicon.ico')
  favicon(@Res() res: Response): void {
    if (!CLIENT_DIR) throw new MissingError('The front end is not built: run `npm run build:client`.');
    void res
      .header('Cache-Control', 'public, max-age=86400')
      .sendFile('favicon.svg', { cacheControl: false });
  }
}

import * as path from 'node:path';
import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../common/auth/decorators';

export const CLIENT_DIR = path.resolve(__dirname, '..', '..', '..', 'client-demo');

/** The browser pages (client-demo/) under friendly paths; assets are served statically. */
@ApiExcludeController()
@Controller()
export class WebController {
  private page(res: Response, file: string): void {
    res.set('Cache-Control', 'no-cache');
    res.sendFile(path.join(CLIENT_DIR, file));
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
}

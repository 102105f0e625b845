import { Injectable, type ArgumentMetadata, type PipeTransform, type ValidationPipe } from '@nestjs/common';
import { validationPipe } from '../app.factory';

/**
 * The app's request validation for socket events. Built on first use:
 * app.factory imports the module tree that contains the gateway, so its
 * exports are not there yet when the gateway's decorators run.
 */
@Injectable()
export class LiveValidationPipe implements PipeTransform {
  private pipe?: ValidationPipe;

  transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    this.pipe ??= validationPipe();
    return this.pipe.transform(value, metadata) as Promise<unknown>;
  }
}

import { messageOf } from '../api/errors';
import { LightElement, states } from './light-element';

/**
 * A light element whose template shows `error`, the message of the last
 * action that failed (in words for people: api/errors.ts). An action run by
 * `act()` puts its failure there instead of leaving a rejected promise.
 */
export class ErrorElement extends LightElement {
  static override properties = states<ErrorElement>('error');
  error = '';

  /** Runs `action`; when it throws, `error` says why. */
  protected async act(action: () => Promise<void>): Promise<void> {
    try {
      await action();
    } catch (e) {
      this.error = messageOf(e);
    }
  }
}

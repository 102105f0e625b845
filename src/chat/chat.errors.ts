import { DomainError } from '../common/errors/domain-errors';

/** The user is banned from this stream's chat. */
export class ChatBannedError extends DomainError {
  readonly status = 403;
  readonly code = 'banned';
  constructor() {
    super("You are banned from this stream's chat");
  }
}

/** The user is muted in this stream's chat until a time. */
export class ChatMutedError extends DomainError {
  readonly status = 403;
  readonly code = 'muted';
  constructor(until: Date, now = Date.now()) {
    const minutes = Math.max(1, Math.ceil((until.getTime() - now) / 60_000));
    super(`You are muted in this chat for ${minutes} more minute${minutes === 1 ? '' : 's'}`, {
      until: until.toISOString(),
    });
  }
}

/** Slow mode: one message per N seconds per viewer. */
export class SlowModeError extends DomainError {
  readonly status = 429;
  readonly code = 'slow_mode';
  constructor(seconds: number) {
    super(`Slow mode is on: one message every ${seconds} seconds`, { retryAfterSeconds: seconds });
  }
}

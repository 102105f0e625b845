import { UnauthorizedError } from '../errors/domain-errors';
import type { VerifiedUser } from './roles';

/** Provider token of the AccessCheck (implemented by the auth feature). */
export const ACCESS_CHECK = Symbol('ACCESS_CHECK');

/**
 * Whether a validly signed access token still stands: its user exists and
 * its token version is the user's current one. A user's version goes up when
 * their roles change, when they sign out everywhere and when a stolen refresh
 * token is detected, which ends every access token issued before at once.
 *
 * The guard calls it on every authenticated request, so an answer it knows is
 * given synchronously; a user it has not seen for minutes costs one batched
 * lookup (src/auth/token-versions.ts says how stale an answer can be).
 */
export interface AccessCheck {
  /**
   * With `deferExistence` (a route marked @ConfirmsUser), a user it has not
   * seen lately is answered 'unconfirmed' at once instead of looked up: the
   * token verifies and no revocation ends it, and the route's handler checks
   * that the user exists in its own database read, then reports it with
   * `confirmed`.
   */
  isCurrent(user: VerifiedUser, deferExistence?: boolean): boolean | 'unconfirmed' | Promise<boolean>;
  /** These users were just read from the database: their next tokens are answered without a lookup. */
  confirmed(userIds: string[]): void;
  /** Told when a user's tokens up to `version - 1` stop standing (on any replica). */
  onRevoked(listener: (userId: string, version: number) => void): void;
}

/** The answer to a token that no longer stands (its user is gone or its version was revoked). */
export function sessionEnded(): UnauthorizedError {
  return new UnauthorizedError(
    'This session has ended (signed out, roles changed or account gone); sign in again',
  );
}

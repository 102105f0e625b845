/** The four roles. Every signed-in user can watch, chat and buy; roles add powers. */
export const ROLES = ['viewer', 'streamer', 'merchant', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Roles a person may pick when registering; `admin` is granted only by an admin or the seed. */
export const SELF_SERVICE_ROLES: readonly Role[] = ['viewer', 'streamer', 'merchant'];

/** What the server knows about the caller, from a verified access token. */
export interface AuthUser {
  id: string;
  email: string;
  name: string;
  roles: Role[];
  /**
   * Set on routes marked @ConfirmsUser when the AccessCheck answered
   * 'unconfirmed': whether this user exists is for the handler to check (and
   * to answer `sessionEnded()` when it does not).
   */
  unconfirmed?: true;
}

/** The user of a verified access token, with what the token says about itself. */
export interface VerifiedUser extends AuthUser {
  /** The user's token version when it was issued (see AccessCheck). */
  ver: number;
  /** Expiry, in seconds since the epoch. */
  exp: number;
}

/** Admins pass every role check; otherwise the user needs one of the roles. */
export function hasAnyRole(user: AuthUser, required: readonly Role[]): boolean {
  if (required.length === 0) return true;
  if (user.roles.includes('admin')) return true;
  return required.some((r) => user.roles.includes(r));
}

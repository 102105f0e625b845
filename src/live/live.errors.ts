import { DomainError } from '../common/errors/domain-errors';

/** The socket sent a room event before joining a room. */
export class NotInRoomError extends DomainError {
  readonly status = 409;
  readonly code = 'not_in_room';
  constructor() {
    super('Join a stream first (emit "join" with its streamId)');
  }
}

import { Param, ParseUUIDPipe } from '@nestjs/common';

/** A route parameter that must be a UUID, or the request is answered 400: `@UuidParam() id`, `@UuidParam('pinId') pinId`. */
export const UuidParam = (name = 'id'): ParameterDecorator => Param(name, new ParseUUIDPipe());

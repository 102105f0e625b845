import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

/**
 * C0 and C1 controls (newlines and tabs included), DEL, and the Unicode bidi
 * embedding, override and isolate controls, with which a name or a line can
 * reorder the text shown around it ("‮" turns "gpj.exe" around).
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** One line of plain text as people see it: controls removed, then trimmed. */
export function plainLine(text: string): string {
  return text.replace(CONTROL, '').trim();
}

/** A class-transformer `@Transform` for single-line text fields (names, titles): see plainLine. */
export const toPlainLine = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? plainLine(value) : value;

/** A class-transformer `@Transform` that trims text and leaves other values for the validators to refuse. */
export const trimmed = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.trim() : value;

/**
 * A text field a person fills in (a street, a carrier): trimmed, then 1 to `maxLength`
 * characters; `empty` is the sentence they read when it is blank (or, required, missing). An
 * `optional` one may be left out, but not sent blank.
 */
export function TextField(opts: {
  maxLength: number;
  empty: string;
  optional?: boolean;
  example?: string;
  description?: string;
}): PropertyDecorator {
  const { maxLength, empty, optional, ...doc } = opts;
  return applyDecorators(
    optional ? ApiPropertyOptional({ ...doc, maxLength }) : ApiProperty({ ...doc, maxLength }),
    ...(optional ? [IsOptional()] : []),
    Transform(trimmed),
    // Left out, an optional one is not checked; sent as a number, it gets the type's own message.
    IsString(optional ? undefined : { message: empty }),
    MinLength(1, { message: empty }),
    MaxLength(maxLength),
  );
}

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

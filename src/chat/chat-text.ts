import { ValidationError } from '../common/errors/domain-errors';
import { plainLine } from '../common/validation/text';

/** Longest chat message, in characters (code points) after cleaning. */
export const MAX_CHAT_LENGTH = 500;
/** Longest word-list entry and most entries per stream. */
export const MAX_WORD_LENGTH = 50;
export const MAX_WORDS = 200;

/**
 * Cleans a chat message: control characters removed, then trimmed. The text
 * stays plain text; pages render it with textContent, so markup shows as typed.
 * Throws a ValidationError naming `text` when nothing is left or it is too long.
 */
export function cleanChatText(raw: unknown): string {
  if (typeof raw !== 'string') throw new ValidationError('text must be a string');
  // Chat lines are single lines: controls (newlines, bidi overrides) go, as in names and titles.
  const text = plainLine(raw);
  if (text.length === 0) throw new ValidationError('text must not be empty');
  const length = [...text].length;
  if (length > MAX_CHAT_LENGTH) {
    throw new ValidationError(`text must be at most ${MAX_CHAT_LENGTH} characters (got ${length})`);
  }
  return text;
}

/** Normalises a stream's word list: trimmed, lower-cased, de-duplicated, blanks dropped. */
export function normalizeWords(words: readonly string[]): string[] {
  const out = new Set<string>();
  for (const w of words) {
    const n = plainLine(w).toLowerCase();
    if (n) out.add(n);
  }
  return [...out];
}

/**
 * Builds a matcher for a stream's word list. A word matches as a whole word
 * (not inside a longer word: "ass" does not hide "class"), case-insensitively,
 * in any script; phrases with spaces match as phrases.
 */
export function wordMatcher(words: readonly string[]): (text: string) => boolean {
  const list = normalizeWords(words);
  if (list.length === 0) return () => false;
  const escaped = list
    .sort((a, b) => b.length - a.length)
    .map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+'));
  const re = new RegExp(`(?<![\\p{L}\\p{N}])(?:${escaped.join('|')})(?![\\p{L}\\p{N}])`, 'iu');
  return (text) => re.test(text);
}

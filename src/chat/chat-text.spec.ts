import { ValidationError } from '../common/errors/domain-errors';
import { cleanChatText, MAX_CHAT_LENGTH, normalizeWords, wordMatcher } from './chat-text';

describe('cleanChatText', () => {
  it('trims and keeps markup as plain text', () => {
    expect(cleanChatText('  <img src=x onerror=alert(1)>  ')).toBe('<img src=x onerror=alert(1)>');
  });

  it('removes control characters, newlines and bidi overrides', () => {
    expect(cleanChatText('a\u0000b\nc\td\u007f\u0085e\u202eevil\u2066')).toBe('abcdeevil');
  });

  it('refuses a message that is empty once cleaned, naming the field', () => {
    expect(() => cleanChatText(' \n\u0001 ')).toThrow(new ValidationError('text must not be empty'));
    expect(() => cleanChatText(42)).toThrow('text must be a string');
  });

  it('counts characters, not UTF-16 units, against the 500 limit', () => {
    expect(cleanChatText('😀'.repeat(MAX_CHAT_LENGTH))).toHaveLength(MAX_CHAT_LENGTH * 2);
    expect(() => cleanChatText('x'.repeat(MAX_CHAT_LENGTH + 1))).toThrow(
      'text must be at most 500 characters (got 501)',
    );
  });

  it('measures the length after trimming', () => {
    expect(cleanChatText(`   ${'x'.repeat(MAX_CHAT_LENGTH)}   `)).toHaveLength(MAX_CHAT_LENGTH);
  });
});

describe('wordMatcher', () => {
  it('matches whole words case-insensitively', () => {
    const m = wordMatcher(['Scam', 'buy followers']);
    expect(m('this is a SCAM!')).toBe(true);
    expect(m('want to buy   followers?')).toBe(true);
    expect(m('scampi for dinner')).toBe(false);
    expect(m('hello')).toBe(false);
  });

  it('does not match inside longer words in other scripts', () => {
    const m = wordMatcher(['кот']);
    expect(m('это кот')).toBe(true);
    expect(m('котлета')).toBe(false);
  });

  it('treats regex characters in words literally', () => {
    const m = wordMatcher(['a.b', '(x)']);
    expect(m('a.b')).toBe(true);
    expect(m('axb')).toBe(false);
    expect(m('say (x) now')).toBe(true);
  });

  it('matches nothing with an empty list', () => {
    expect(wordMatcher([])('anything')).toBe(false);
  });
});

describe('normalizeWords', () => {
  it('lower-cases, trims and de-duplicates', () => {
    expect(normalizeWords([' Spam ', 'spam', '', 'Eggs'])).toEqual(['spam', 'eggs']);
  });
});

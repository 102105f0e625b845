/**
 * Bounds on what a client may send, checked before any recursive work
 * (JSON.parse's reviver, class-transformer, class-validator and Ajv all walk
 * a value recursively: a body nested a few thousand levels deep overflowed
 * their stacks into 500s, and one nested half a million deep held the event
 * loop for seconds). The checks here are iterative and linear in the input.
 */

/**
 * Deepest nesting of objects and arrays a JSON body or socket payload may
 * have. Every body and payload of the API is at most three levels deep
 * (an order's items); 32 leaves room for clients that wrap things.
 */
export const MAX_JSON_DEPTH = 32;

/** Why a value is refused: a code and a sentence for the client. */
export interface BoundsProblem {
  code: 'nul_character' | 'too_deep';
  message: string;
}

const nul = (message: string): BoundsProblem => ({ code: 'nul_character', message });
const tooDeep = (maxDepth: number): BoundsProblem => ({
  code: 'too_deep',
  message: `JSON is nested more than ${maxDepth} levels deep`,
});

/**
 * Scans JSON text once, without parsing it: the nesting depth outside
 * strings, and NUL characters written as `\u0000` inside strings (PostgreSQL
 * text cannot hold them, and no field of the API needs one). Returns the
 * problem, or undefined when the text is within bounds (it may still be
 * malformed JSON: JSON.parse says so afterwards).
 */
export function jsonTextProblem(text: string, maxDepth = MAX_JSON_DEPTH): BoundsProblem | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) {
        // \u0000 (any case of hex digits: they are all zeros)
        if (text.charCodeAt(i + 1) === 0x75 /* u */ && text.startsWith('0000', i + 2)) {
          return nul('Strings must not contain NUL characters (\\u0000)');
        }
        i++; // skip the escaped character
      } else if (c === 0x22 /* " */) inString = false;
      else if (c === 0) return nul('Strings must not contain NUL characters');
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > maxDepth) return tooDeep(maxDepth);
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
  }
  return undefined;
}

/**
 * The same bounds for a value already decoded (a socket.io payload: its
 * parser has run JSON.parse on a frame of at most `maxHttpBufferSize` bytes).
 * Iterative, so a deep value cannot overflow the stack here either.
 */
export function valueProblem(value: unknown, maxDepth = MAX_JSON_DEPTH): BoundsProblem | undefined {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return nul('Strings must not contain NUL characters');
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (depth + 1 > maxDepth)
      return { code: 'too_deep', message: `The payload is nested more than ${maxDepth} levels deep` };
    if (Buffer.isBuffer(v) || ArrayBuffer.isView(v)) continue;
    for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
      if (k.includes('\u0000')) return nul('Keys must not contain NUL characters');
      stack.push([child, depth + 1]);
    }
  }
  return undefined;
}

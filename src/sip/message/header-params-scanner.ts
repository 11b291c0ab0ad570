import { inClass, TOKEN } from './char-classes';
import { endOfQuoted, isValueChar, skipLws } from './header-params';

/**
 * Whether parseHeaderParams would accept text[start, end): `;name[=value]` with LWS around `;` and
 * `=`, the value a token, host or quoted-string. By index, building nothing: the parser validates every
 * message, and the parameters are read only when a view is.
 */
export function scanHeaderParams(text: string, start: number, end: number): boolean {
  let i = skipLws(text, start, end);
  while (i < end) {
    if (text.charCodeAt(i) !== 0x3b /* ; */) return false;
    i = skipLws(text, i + 1, end);
    const nameStart = i;
    while (i < end && inClass(text.charCodeAt(i), TOKEN)) i++;
    if (i === nameStart) return false;
    i = skipLws(text, i, end);
    if (i < end && text.charCodeAt(i) === 0x3d /* = */) {
      i = skipLws(text, i + 1, end);
      const valueStart = i;
      if (i < end && text.charCodeAt(i) === 0x22 /* " */) {
        i = endOfQuoted(text, i, end);
        if (i < 0) return false;
      } else {
        while (i < end && isValueChar(text.charCodeAt(i))) i++;
      }
      if (i === valueStart) return false;
      i = skipLws(text, i, end);
    }
  }
  return true;
}

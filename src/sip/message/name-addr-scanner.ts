import { inClass, isLws, TOKEN } from './char-classes';
import { endOfQuoted, skipLws } from './header-params';
import { scanHeaderParams } from './header-params-scanner';
import { indexIn, scanUri } from './uri-scanner';

/**
 * Whether parseNameAddr would accept text[start, end): `"Quoted" <uri>;params`, `Tokens <uri>;params`,
 * `<uri>;params` or the addr-spec `uri;params`. By index, building nothing: From, To and Contact are
 * checked on every message, their views parsed only when read.
 */
export function scanNameAddr(text: string, start: number, end: number): boolean {
  let i = skipLws(text, start, end);
  const c = i < end ? text.charCodeAt(i) : -1;
  if (c === 0x22 /* " */) {
    const quoteEnd = endOfQuoted(text, i, end);
    if (quoteEnd < 0) return false;
    i = skipLws(text, quoteEnd, end);
    if (i >= end || text.charCodeAt(i) !== 0x3c /* < */) return false;
  } else if (c !== 0x3c) {
    const lt = tokenWordsEnd(text, i, end);
    if (lt === end || text.charCodeAt(lt) !== 0x3c) {
      // No `<` right after the tokens: an addr-spec, unless a `<` comes later (then the name is not tokens).
      return indexIn(text, 0x3c, lt, end) < 0 && scanAddrSpec(text, i, end);
    }
    i = lt;
  }
  // The `>` that closes the URI lies within the element: the list splitter does not end one inside <...>.
  const gt = text.indexOf('>', i + 1);
  // LWS inside <...> (refused by the parser) is refused by scanUri too: no URI character is LWS.
  return gt >= 0 && gt < end && scanUri(text, i + 1, gt, true) && scanHeaderParams(text, gt + 1, end);
}

/** One Contact list element: `*` (which the contacts view leaves out) or a name-addr. */
export function scanContact(text: string, start: number, end: number): boolean {
  return (end - start === 1 && text.charCodeAt(start) === 0x2a) /* * */ || scanNameAddr(text, start, end);
}

/** display-name = *(token LWS): the end of the run of token characters and LWS from `start`. */
function tokenWordsEnd(text: string, start: number, end: number): number {
  let i = start;
  while (i < end && (inClass(text.charCodeAt(i), TOKEN) || isLws(text.charCodeAt(i)))) i++;
  return i;
}

/** addr-spec: the URI runs to the first LWS or `;` and holds no `?` or `,`; header parameters follow. */
function scanAddrSpec(text: string, start: number, end: number): boolean {
  let i = start;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (isLws(c) || c === 0x3b /* ; */) break;
    if (c === 0x3f /* ? */ || c === 0x2c /* , */) return false;
    i++;
  }
  return i > start && scanUri(text, start, i, true) && scanHeaderParams(text, i, end);
}

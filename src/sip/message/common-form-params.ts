import { isCommonNameAddr, isCommonVia } from './common-forms';
import { endOfQuoted } from './header-params';

/**
 * One header parameter read straight from a value of a common form (see common-forms), for the two a
 * transaction or dialog reads on every message: the top Via's branch and the From tag. The same value
 * parseVia or parseNameAddr would give (the first parameter of that name, in any case; its value as
 * written; null without one), without building the Via or name-addr. `undefined`: not a common form,
 * parse it.
 */
export function commonViaParam(value: string, name: string): string | null | undefined {
  if (!isCommonVia(value)) return undefined;
  // In the common form the first `;` ends the sent-by: the transport and host have none.
  return paramIn(value, value.indexOf(';'), name);
}

export function commonNameAddrParam(value: string, name: string): string | null | undefined {
  if (!isCommonNameAddr(value)) return undefined;
  // The URI holds no `>`, so the first one after the `<` that opens it closes it.
  const lt = value.charCodeAt(0) === 0x22 /* " */ ? value.indexOf('<', endOfQuoted(value, 0)) : 0;
  return paramIn(value, value.indexOf('>', lt) + 1, name);
}

/** `;name[=value]` parameters without LWS from `start` (-1: none), as the common forms allow them. */
function paramIn(text: string, start: number, name: string): string | null {
  if (start < 0) return null;
  let i = start;
  while (i < text.length) {
    const nameStart = i + 1; // past the `;`
    i = nameStart;
    while (i < text.length && !isParamEnd(text.charCodeAt(i))) i++;
    const found = i - nameStart === name.length && equalsIgnoringAsciiCase(text, nameStart, name);
    if (i === text.length || text.charCodeAt(i) === 0x3b /* ; */) {
      if (found) return null;
      continue;
    }
    const valueStart = i + 1; // past the `=`
    i = text.charCodeAt(valueStart) === 0x22 ? endOfQuoted(text, valueStart) : text.indexOf(';', valueStart);
    if (i < 0) i = text.length;
    if (found) return text.slice(valueStart, i);
  }
  return null;
}

function isParamEnd(c: number): boolean {
  return c === 0x3b /* ; */ || c === 0x3d; /* = */
}

/** text[start...] equals `lower` (a lower-case ASCII name) but for the case of ASCII letters. */
function equalsIgnoringAsciiCase(text: string, start: number, lower: string): boolean {
  for (let k = 0; k < lower.length; k++) {
    let c = text.charCodeAt(start + k);
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    if (c !== lower.charCodeAt(k)) return false;
  }
  return true;
}

/**
 * Splits a header value on the commas that separate list elements (RFC 3261 §7.3.1),
 * ignoring commas inside quoted strings and inside <...> (URIs may carry commas in their headers).
 */
export function splitHeaderList(value: string): string[] {
  // Most values hold one element (a Via, a Contact): no comma, no scan.
  if (value.indexOf(',') < 0) {
    const only = value.trim();
    return only.length > 0 ? [only] : [];
  }
  const out: string[] = [];
  visitListElements(value, (start, end) => {
    const part = value.slice(start, end).trim();
    if (part.length > 0) out.push(part);
    return true;
  });
  return out;
}

/**
 * Calls `visit` with the bounds of each list element of `value`, untrimmed and in order (the cuts of
 * splitHeaderList); stops at the first `false`, which it returns.
 */
export function visitListElements(value: string, visit: (start: number, end: number) => boolean): boolean {
  let depthAngle = 0;
  let inQuote = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (inQuote) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inQuote = false;
    } else if (c === 0x22) inQuote = true;
    else if (c === 0x3c /* < */) depthAngle++;
    else if (c === 0x3e /* > */ && depthAngle > 0) depthAngle--;
    else if (c === 0x2c /* , */ && depthAngle === 0) {
      if (!visit(start, i)) return false;
      start = i + 1;
    }
  }
  return visit(start, value.length);
}

/** splitHeaderList(value)[0], without splitting the rest in the usual case of a single element. */
export function firstListElement(value: string): string | undefined {
  if (value.indexOf(',') < 0) {
    const only = value.trim();
    return only.length > 0 ? only : undefined;
  }
  return splitHeaderList(value)[0];
}

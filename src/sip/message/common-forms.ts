/**
 * The forms nearly every Via, From, To, Contact and Request-URI takes, as regular expressions: the
 * validation fast path. Each accepts a subset of what its parser accepts, never more (no LWS variants,
 * no IPv6, no tel or other schemes, no URI headers), so a match needs no further check and anything
 * else goes to the scanners. Why expressions: irregexp runs compiled code, about four times as fast
 * per character here as a JavaScript loop over charCodeAt (measured: a Via 133 ns against 595 ns).
 * Each quantified piece is followed by a character it cannot match, so a failing match backtracks in
 * linear time.
 */

const TOKEN = String.raw`[A-Za-z0-9\-.!%*_+\x60'~]`;
const HOST = String.raw`[A-Za-z0-9\-._]+`;
/** port = 1*DIGIT within 0-65535 (parsePort): up to four digits, or five up to 65535. */
const PORT = String.raw`(?::(?:[0-9]{1,4}|[0-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?`;
const ESCAPE = '%[0-9A-Fa-f]{2}';
const USER = String.raw`(?:[A-Za-z0-9\-_.!~*'()&=+$,;?/]|${ESCAPE})+`;
const PASSWORD = String.raw`(?:[A-Za-z0-9\-_.!~*'()&=+$,]|${ESCAPE})*`;
const URI_PARAM = String.raw`(?:[A-Za-z0-9\-_.!~*'()\[\]/:&+$]|${ESCAPE})+`;
/** sip: or sips: with userinfo, host, port and parameters (RFC 3261 §25.1), without headers. */
const SIP_URI = `sips?:(?:${USER}(?::${PASSWORD})?@)?${HOST}${PORT}(?:;${URI_PARAM}(?:=${URI_PARAM})?)*`;
/** A quoted-string as endOfQuoted reads it: a backslash takes the next character, whatever it is. */
const QUOTED = String.raw`"(?:[^"\\]|\\[^])*"`;
/** Header parameters without LWS: `;token[=token-or-host]` or `;token="quoted"`. */
const HEADER_PARAMS = String.raw`(?:;${TOKEN}+(?:=(?:[A-Za-z0-9\-.!%*_+\x60'~:\[\]]+|${QUOTED}))?)*`;

const VIA = new RegExp(String.raw`^SIP/2\.0/${TOKEN}+ ${HOST}${PORT}${HEADER_PARAMS}$`);
const NAME_ADDR = new RegExp(`^(?:${QUOTED} ?)?<${SIP_URI}>${HEADER_PARAMS}$`);
const REQUEST_URI = new RegExp(`^${SIP_URI}$`);

/** One Via (not a list) `SIP/2.0/TRANSPORT host[:port];params`: parseVia accepts it. */
export function isCommonVia(value: string): boolean {
  return VIA.test(value);
}

/** `["Name" ]<sip:...>;params`: parseNameAddr accepts it (and it is one list element). */
export function isCommonNameAddr(value: string): boolean {
  return NAME_ADDR.test(value);
}

/** A sip or sips URI without headers: parseUri accepts it and it is a valid Request-URI. */
export function isCommonRequestUri(uri: string): boolean {
  return REQUEST_URI.test(uri);
}

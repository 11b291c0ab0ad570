import { parseUri } from '../message/sip-uri';

/** Characters a SIP URI parameter value may carry unescaped (RFC 3261 §25.1 paramchar). */
const PARAMCHAR = /[A-Za-z0-9\-_.!~*'()[\]/:&+$]/;

function escapeParam(value: string): string {
  let out = '';
  for (const ch of value) {
    if (PARAMCHAR.test(ch)) out += ch;
    else for (const byte of Buffer.from(ch, 'utf8')) out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/**
 * The RFC 4240 announcement URI that makes the media server play `mediaUri`, looping until we hang up
 * (`repeat=forever`), e.g. `sip:annc@127.0.0.1:5070;play=file:///tones/summer.wav;repeat=forever`.
 */
export function announcementUri(mediaServer: string, mediaUri: string): string {
  const server = parseUri(mediaServer);
  const port = server.port !== null ? `:${server.port}` : '';
  const transport = server.params.get('transport');
  const t = transport ? `;transport=${transport}` : '';
  return `sip:annc@${server.host}${port}${t};play=${escapeParam(mediaUri)};repeat=forever`;
}

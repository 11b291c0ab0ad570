import assert from 'node:assert/strict';
import type { SendFailure } from '../../src/sip/transport/transport';

/** The failure callback of a send a test expects to go through: a reported failure fails the test. */
export const mustSend: SendFailure = (error) => assert.fail(`the send failed: ${error.message}`);

/** The error a send reports within `ms`; rejects when it reports none by then. */
export function failureOf(send: (onFailure: SendFailure) => void, ms = 5000): Promise<Error> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the send reported no failure within ${ms} ms`)), ms);
    send((error) => {
      clearTimeout(timer);
      resolve(error);
    });
  });
}

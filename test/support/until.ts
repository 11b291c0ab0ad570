import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';

/** Waits until `check` holds, polling every 20 ms; fails naming `what` after `ms`. */
export async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  for (let i = 0; i < ms / 20; i++) {
    if (check()) return;
    await delay(20);
  }
  assert.fail(`timed out waiting for ${what}`);
}

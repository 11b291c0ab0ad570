import { displayName, headerKey, isListHeader } from './header-names';
import { flatString } from './flat-string';
import { splitHeaderList } from './header-list';

export interface HeaderField {
  /** Lower-case long form (`v` and `VIA` both become `via`). */
  readonly key: string;
  /** The name as it goes on the wire. */
  readonly name: string;
  readonly value: string;
}

/** Slots per field in the flat store: key, name, value. */
const WIDTH = 3;

/**
 * The ordered header fields of one message. Order is preserved (RFC 3261 §7.3.1: the relative
 * order of same-named fields is significant); lookups are case-insensitive and accept compact forms.
 * Fields are stored flat, three strings each (key, name, value) with no object per field, and keys and
 * names are shared strings (see header-names): a call keeps several messages for its whole life.
 */
export class SipHeaders {
  private slots: string[] = [];
  /** Bumped on every change so parsed views of headers cached by the message can be dropped. */
  version = 0;

  static fromFields(fields: readonly HeaderField[]): SipHeaders {
    const h = new SipHeaders();
    for (const f of fields) h.slots.push(f.key, f.name, f.value);
    return h;
  }

  /** Takes `slots` (key, name, value per field) as they are, without a copy: for the parser. */
  static adoptSlots(slots: string[]): SipHeaders {
    const h = new SipHeaders();
    h.slots = slots;
    return h;
  }

  /**
   * Lets go of the room the store keeps for more fields: an array grown field by field holds up to
   * half as many slots again as it uses. For a message kept a long time (a ringing call's 183).
   */
  trim(): void {
    this.slots = this.slots.slice();
  }

  get size(): number {
    return this.slots.length / WIDTH;
  }

  /** The first field value of a header, as written. */
  get(name: string): string | undefined {
    return this.getByKey(headerKey(name));
  }

  /** `get` for a name already in its canonical key form (lower-case long form): no normalisation. */
  getByKey(key: string): string | undefined {
    const s = this.slots;
    for (let i = 0; i < s.length; i += WIDTH) if (s[i] === key) return s[i + 2];
    return undefined;
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /** Every value of a header across all its fields, comma-separated lists split for list headers. */
  getAll(name: string): string[] {
    const key = headerKey(name);
    const out: string[] = [];
    const split = isListHeader(key);
    const s = this.slots;
    for (let i = 0; i < s.length; i += WIDTH) {
      if (s[i] !== key) continue;
      const value = s[i + 2]!;
      if (split) for (const v of splitHeaderList(value)) out.push(v);
      else out.push(value);
    }
    return out;
  }

  /** How many fields carry this header (not list elements). */
  countFields(name: string): number {
    const key = headerKey(name);
    let n = 0;
    const s = this.slots;
    for (let i = 0; i < s.length; i += WIDTH) if (s[i] === key) n++;
    return n;
  }

  /** Replaces every field of the header by one field, placed where the first one was (or at the end). */
  set(name: string, value: string): this {
    const key = headerKey(name);
    const at = this.indexOf(key);
    if (at < 0) {
      this.slots.push(key, displayName(key), flatString(value));
    } else {
      const kept: string[] = [];
      const s = this.slots;
      for (let i = 0; i < s.length; i += WIDTH) {
        if (i === at) kept.push(key, displayName(key), flatString(value));
        else if (s[i] !== key) kept.push(s[i]!, s[i + 1]!, s[i + 2]!);
      }
      this.slots = kept;
    }
    this.version++;
    return this;
  }

  append(name: string, value: string): this {
    const key = headerKey(name);
    this.slots.push(key, displayName(key), flatString(value));
    this.version++;
    return this;
  }

  /** Inserts before the first field of the same header (Via, Record-Route), else at the top. */
  prepend(name: string, value: string): this {
    const key = headerKey(name);
    const at = this.indexOf(key);
    this.slots.splice(at < 0 ? 0 : at, 0, key, displayName(key), flatString(value));
    this.version++;
    return this;
  }

  /** Removes the first list element of a header (the top Via of a response going upstream). */
  removeFirstValue(name: string): this {
    const key = headerKey(name);
    const at = this.indexOf(key);
    if (at < 0) return this;
    const rest = isListHeader(key) ? splitHeaderList(this.slots[at + 2]!).slice(1) : [];
    if (rest.length === 0) this.slots.splice(at, WIDTH);
    else this.slots[at + 2] = rest.join(', ');
    this.version++;
    return this;
  }

  remove(name: string): this {
    const key = headerKey(name);
    if (this.indexOf(key) < 0) return this;
    const kept: string[] = [];
    const s = this.slots;
    for (let i = 0; i < s.length; i += WIDTH) if (s[i] !== key) kept.push(s[i]!, s[i + 1]!, s[i + 2]!);
    this.slots = kept;
    this.version++;
    return this;
  }

  /** The fields in order, as objects (built on each call: hot paths walk `keyAt`/`nameAt`/`valueAt`). */
  entries(): readonly HeaderField[] {
    const out: HeaderField[] = [];
    const s = this.slots;
    for (let i = 0; i < s.length; i += WIDTH) out.push({ key: s[i]!, name: s[i + 1]!, value: s[i + 2]! });
    return out;
  }

  /** The key of the field at `index` (0 to size - 1): with `nameAt` and `valueAt`, a walk without objects. */
  keyAt(index: number): string {
    return this.slots[index * WIDTH]!;
  }

  nameAt(index: number): string {
    return this.slots[index * WIDTH + 1]!;
  }

  valueAt(index: number): string {
    return this.slots[index * WIDTH + 2]!;
  }

  clone(): SipHeaders {
    return SipHeaders.adoptSlots(this.slots.slice());
  }

  /** The slot index of the first field with this key, or -1. */
  private indexOf(key: string): number {
    const s = this.slots;
    for (let i = 0; i < s.length; i += WIDTH) if (s[i] === key) return i;
    return -1;
  }
}

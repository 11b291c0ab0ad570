import { displayName, headerKey, isListHeader } from './header-names';
import { splitHeaderList } from './header-list';

export interface HeaderField {
  /** Lower-case long form (`v` and `VIA` both become `via`). */
  readonly key: string;
  /** The name as it goes on the wire. */
  readonly name: string;
  readonly value: string;
}

/**
 * The ordered header fields of one message. Order is preserved (RFC 3261 §7.3.1: the relative
 * order of same-named fields is significant); lookups are case-insensitive and accept compact forms.
 */
export class SipHeaders {
  private fields: HeaderField[] = [];
  /** Bumped on every change so parsed views of headers cached by the message can be dropped. */
  version = 0;

  static fromFields(fields: readonly HeaderField[]): SipHeaders {
    return SipHeaders.adopt(fields.slice());
  }

  /** Takes `fields` as they are, without a copy: for the parser, whose array nobody else holds. */
  static adopt(fields: HeaderField[]): SipHeaders {
    const h = new SipHeaders();
    h.fields = fields;
    return h;
  }

  get size(): number {
    return this.fields.length;
  }

  /** The first field value of a header, as written. */
  get(name: string): string | undefined {
    const key = headerKey(name);
    for (const f of this.fields) if (f.key === key) return f.value;
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
    for (const f of this.fields) {
      if (f.key !== key) continue;
      if (split) for (const v of splitHeaderList(f.value)) out.push(v);
      else out.push(f.value);
    }
    return out;
  }

  /** How many fields carry this header (not list elements). */
  countFields(name: string): number {
    const key = headerKey(name);
    let n = 0;
    for (const f of this.fields) if (f.key === key) n++;
    return n;
  }

  /** Replaces every field of the header by one field, placed where the first one was (or at the end). */
  set(name: string, value: string): this {
    const key = headerKey(name);
    const at = this.fields.findIndex((f) => f.key === key);
    const field = { key, name: displayName(key), value };
    if (at < 0) {
      this.fields.push(field);
    } else {
      this.fields = this.fields.filter((f, i) => i === at || f.key !== key);
      this.fields[at] = field;
    }
    this.version++;
    return this;
  }

  append(name: string, value: string): this {
    const key = headerKey(name);
    this.fields.push({ key, name: displayName(key), value });
    this.version++;
    return this;
  }

  /** Inserts before the first field of the same header (Via, Record-Route), else at the top. */
  prepend(name: string, value: string): this {
    const key = headerKey(name);
    const at = this.fields.findIndex((f) => f.key === key);
    this.fields.splice(at < 0 ? 0 : at, 0, { key, name: displayName(key), value });
    this.version++;
    return this;
  }

  /** Removes the first list element of a header (the top Via of a response going upstream). */
  removeFirstValue(name: string): this {
    const key = headerKey(name);
    const at = this.fields.findIndex((f) => f.key === key);
    const field = this.fields[at];
    if (!field) return this;
    const rest = isListHeader(key) ? splitHeaderList(field.value).slice(1) : [];
    if (rest.length === 0) this.fields.splice(at, 1);
    else this.fields[at] = { ...field, value: rest.join(', ') };
    this.version++;
    return this;
  }

  remove(name: string): this {
    const key = headerKey(name);
    const before = this.fields.length;
    this.fields = this.fields.filter((f) => f.key !== key);
    if (this.fields.length !== before) this.version++;
    return this;
  }

  entries(): readonly HeaderField[] {
    return this.fields;
  }

  clone(): SipHeaders {
    return SipHeaders.fromFields(this.fields);
  }
}

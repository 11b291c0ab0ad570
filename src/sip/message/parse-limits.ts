/** Bounds on what the parser accepts (config `sip.limits`); a message over them is refused, never buffered. */
export interface ParseLimits {
  /** Whole message: start line, headers and body (over it: 513 Message Too Large). */
  readonly maxMessageBytes: number;
  /** Header fields, counting each field line (not list elements). */
  readonly maxHeaders: number;
  /** One line of the head, folded continuation lines counted separately. */
  readonly maxLineBytes: number;
}

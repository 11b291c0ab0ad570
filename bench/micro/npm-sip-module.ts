import { createRequire } from 'node:module';

/** The little of the npm `sip` package (0.0.6, untyped, CommonJS) the micro-benchmark uses. */
export interface NpmSipMessage {
  method?: string;
  status?: number;
  reason?: string;
  uri?: string;
  version?: string;
  headers: {
    via?: { params?: Record<string, string | undefined> }[];
    from?: { params?: Record<string, string | undefined> };
    cseq?: { seq: number; method: string };
    'call-id'?: string;
    [name: string]: unknown;
  };
  content?: string;
}

export interface NpmSipModule {
  /** Parses one whole message (a string, or a Buffer read as latin1); undefined when unreadable. */
  parse(data: string | Buffer): NpmSipMessage | undefined;
  stringify(message: NpmSipMessage): string;
}

/** Loaded with require: the package ships no types, so the shape above is declared here. */
export const npmSip = createRequire(__filename)('sip') as NpmSipModule;

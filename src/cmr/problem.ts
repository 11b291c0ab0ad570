/** One thing wrong with a document: where (a JSON path like `rules[2].playlist.resourceIds[0]`) and what. */
export interface Problem {
  readonly field: string;
  readonly problem: string;
}

/** Either the typed value or every problem found; problems are never thrown. */
export type Validation<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problems: readonly Problem[] };

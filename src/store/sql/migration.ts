/** One versioned schema change; versions are applied in ascending order and recorded in schema_migrations. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

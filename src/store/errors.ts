// Errors the store raises on purpose, each naming the file and what to do about it.

export class StoreError extends Error {
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The data file was written by a newer riskd; opening it with this code could corrupt its data. */
export class StoreSchemaTooNewError extends StoreError {
  constructor(
    file: string,
    readonly fileVersion: number,
    readonly codeVersion: number,
  ) {
    super(
      `${file} has schema version ${fileVersion}, newer than this riskd understands (${codeVersion}); ` +
        'upgrade riskd or point --data-dir elsewhere (the file was left untouched)',
      file,
    );
  }
}

/** Read-only open of a file whose schema differs from this code (the daemon migrates; readers never do). */
export class StoreSchemaMismatchError extends StoreError {
  constructor(
    file: string,
    readonly fileVersion: number,
    readonly codeVersion: number,
  ) {
    super(
      fileVersion < codeVersion
        ? `${file} has schema version ${fileVersion}, older than ${codeVersion}; start the daemon once (npx riskd start) to migrate it`
        : `${file} has schema version ${fileVersion}, newer than this riskd understands (${codeVersion}); upgrade riskd`,
      file,
    );
  }
}

/** A stored value could not be decoded (e.g. a snapshot row with broken JSON). */
export class StoreDataError extends StoreError {}

/** SQLite's own codes for "this is not a usable database file". */
export function isCorruptionError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT'));
}

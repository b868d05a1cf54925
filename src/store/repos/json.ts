import { StoreDataError } from '../errors.ts';

/** JSON.parse with an error that says which row and column could not be decoded. */
export function parseJsonColumn(text: string, where: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new StoreDataError(`${file}: ${where} holds invalid JSON (${(e as Error).message})`, file);
  }
}

/** JSON.stringify that refuses values JSON cannot carry (undefined at the top), so nothing is silently lost. */
export function toJsonColumn(value: unknown, where: string, file: string): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw new StoreDataError(`${file}: ${where} is not JSON-serializable`, file);
  return text;
}

export const bool = (v: boolean | undefined | null): 0 | 1 => (v ? 1 : 0);

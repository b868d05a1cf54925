// Reads one YAML configuration file and keeps its syntax tree, so any key path can be traced back to the
// line and column where the user wrote it (yaml parseDocument + LineCounter).
import { readFileSync, statSync } from 'node:fs';
import { LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document, Node } from 'yaml';
import type { ConfigIssue } from './errors.ts';

export interface YamlSource {
  /** The file as the user named it; used in every message. */
  file: string;
  doc: Document;
  lineCounter: LineCounter;
  /** The plain JS value of the document (a mapping; checked on read). */
  data: Record<string, unknown>;
}

export interface Position {
  line: number;
  column: number;
  /** True when the whole path exists in the file (false: the position is that of its deepest existing parent). */
  found: boolean;
}

export type ReadResult = { ok: true; source: YamlSource } | { ok: false; issues: ConfigIssue[] };

function fileIssue(file: string, message: string, line = 0, column = 0): ConfigIssue {
  return { file, line, column, path: '', message };
}

/** Reads and parses `file`; every failure (missing, directory, empty, YAML syntax, not a mapping) is an issue. */
export function readYamlFile(file: string): ReadResult {
  let text: string;
  try {
    if (statSync(file).isDirectory()) {
      return { ok: false, issues: [fileIssue(file, 'is a directory, expected a YAML file')] };
    }
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : code === 'EACCES' ? 'permission denied' : String(err);
    return { ok: false, issues: [fileIssue(file, why)] };
  }
  return parseYamlText(file, text);
}

/** Parses YAML text that claims to come from `file`. */
export function parseYamlText(file: string, text: string): ReadResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true, merge: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      issues: doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        // yaml appends " at line L, column C:" and a source excerpt; we print the position ourselves.
        const message = (e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, '');
        return fileIssue(file, `YAML syntax error: ${message}`, pos?.line ?? 0, pos?.col ?? 0);
      }),
    };
  }
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    return { ok: false, issues: [fileIssue(file, 'file is empty, expected a YAML mapping')] };
  }
  if (!isMap(doc.contents)) {
    const pos = lineCounter.linePos(doc.contents.range?.[0] ?? 0);
    return { ok: false, issues: [fileIssue(file, 'expected a YAML mapping (key: value) at the top level', pos.line, pos.col)] };
  }
  const data = doc.toJS({ maxAliasCount: 1000 }) as Record<string, unknown>;
  return { ok: true, source: { file, doc, lineCounter, data } };
}

/**
 * Where `path` is written in the file. `at: 'key'` points at the key (for unknown or misspelt keys),
 * `at: 'value'` at the value. A path that does not fully exist points at its deepest existing parent's key.
 */
export function locate(src: YamlSource, path: readonly PropertyKey[], at: 'key' | 'value'): Position {
  let node: unknown = src.doc.contents;
  let keyNode: Node | null = null; // the key of the pair we descended through last
  let found = true;
  for (const seg of path) {
    if (isAlias(node)) node = node.resolve(src.doc);
    let next: unknown = undefined;
    let nextKey: Node | null = null;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && keyText(p.key) === String(seg));
      if (pair) {
        next = pair.value ?? null;
        nextKey = (pair.key as Node | null) ?? null;
      }
    } else if (isSeq(node) && typeof seg === 'number') {
      next = node.items[seg];
    }
    if (next === undefined) {
      found = false;
      break;
    }
    node = next;
    keyNode = nextKey ?? (isNode(next) ? next : keyNode);
  }
  let target: Node | null = keyNode;
  if (found && at === 'value' && isNode(node) && node.range) target = node;
  if (found && at === 'value' && !isNode(node)) target = keyNode; // `key:` with nothing after it
  if (!target && isNode(src.doc.contents)) target = src.doc.contents;
  const offset = target?.range?.[0] ?? 0;
  const pos = src.lineCounter.linePos(offset);
  return { line: pos.line, column: pos.col, found };
}

function keyText(key: unknown): string {
  return isScalar(key) ? String(key.value) : String(key);
}

function isNode(v: unknown): v is Node {
  return isMap(v) || isSeq(v) || isScalar(v) || isAlias(v);
}

// Questions asked on the command line. On a terminal: @inquirer/prompts (arrow-key menus, defaults shown,
// answers checked as typed). Otherwise (a pipe, a script, a test): one answer per line on stdin, an empty line
// takes the default, a menu takes the value, its number or its name; a rejected answer is asked again on the
// next line. Both ask the same questions through one interface, so scripts and tests drive the real flow.
import { createInterface } from 'node:readline';
import { confirm, input, select } from '@inquirer/prompts';
import { PromptAborted } from '../control/passwordPrompt.ts';

export { PromptAborted };

/** true, or why the answer is refused. */
export type Check = (answer: string) => true | string;

export interface Choice<T extends string> {
  value: T;
  name: string;
  description?: string;
}

export interface Prompter {
  text(q: { message: string; default?: string; validate?: Check }): Promise<string>;
  choose<T extends string>(q: { message: string; choices: readonly Choice<T>[]; default?: T }): Promise<T>;
  confirm(q: { message: string; default: boolean }): Promise<boolean>;
  /** Plain output between questions (hints, results). */
  say(line: string): void;
  close(): void;
}

/** The terminal prompter; Ctrl+C becomes PromptAborted. */
export function terminalPrompter(io: { input: NodeJS.ReadStream; output: NodeJS.WriteStream } = { input: process.stdin, output: process.stdout }): Prompter {
  const ctx = { input: io.input, output: io.output };
  const aborted = (err: unknown): never => {
    if ((err as { name?: string } | null)?.name === 'ExitPromptError') throw new PromptAborted('cancelled; nothing written');
    throw err;
  };
  return {
    text: (q) =>
      input({ message: q.message, ...(q.default !== undefined ? { default: q.default } : {}), ...(q.validate ? { validate: q.validate } : {}) }, ctx).catch(aborted),
    choose: <T extends string>(q: { message: string; choices: readonly Choice<T>[]; default?: T }) =>
      select<T>({ message: q.message, choices: q.choices.map((c) => ({ ...c })), ...(q.default !== undefined ? { default: q.default } : {}) }, ctx).catch(aborted),
    confirm: (q) => confirm({ message: q.message, default: q.default }, ctx).catch(aborted),
    say: (line) => io.output.write(`${line}\n`),
    close: () => {},
  };
}

/** The line prompter: questions and answers echoed to `output`, answers read line by line from `input`. */
export function linePrompter(io: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream }): Prompter {
  const rl = createInterface({ input: io.input, terminal: false });
  const lines = rl[Symbol.asyncIterator]();
  const out = (s: string) => io.output.write(s);
  const ask = async (message: string, shownDefault: string | undefined, accept: (answer: string) => { ok: true; value: string } | { ok: false; why: string }) => {
    for (;;) {
      out(`? ${message}${shownDefault !== undefined && shownDefault !== '' ? ` (${shownDefault})` : ''} `);
      const next = await lines.next();
      if (next.done) {
        out('\n');
        throw new PromptAborted(`no answer on stdin for "${message}"; nothing written`);
      }
      const answer = next.value.trim();
      out(`${answer}\n`);
      const r = accept(answer);
      if (r.ok) return r.value;
      out(`  ${r.why}\n`);
    }
  };
  return {
    text: (q) =>
      ask(q.message, q.default, (a) => {
        const value = a === '' ? (q.default ?? '') : a;
        const check = q.validate?.(value) ?? true;
        return check === true ? { ok: true, value } : { ok: false, why: check };
      }),
    choose: async <T extends string>(q: { message: string; choices: readonly Choice<T>[]; default?: T }) => {
      q.choices.forEach((c, i) => out(`  ${i + 1}) ${c.name}${c.description ? ` — ${c.description}` : ''}\n`));
      const value = await ask(q.message, q.default, (a) => {
        if (a === '' && q.default !== undefined) return { ok: true, value: q.default };
        const byNumber = /^\d+$/.test(a) ? q.choices[Number(a) - 1] : undefined;
        const found = byNumber ?? q.choices.find((c) => c.value.toLowerCase() === a.toLowerCase() || c.name.toLowerCase() === a.toLowerCase());
        return found ? { ok: true, value: found.value } : { ok: false, why: `answer with a number from 1 to ${q.choices.length}` };
      });
      return value as T;
    },
    confirm: async (q) => {
      const v = await ask(`${q.message} [${q.default ? 'Y/n' : 'y/N'}]`, undefined, (a) => {
        if (a === '') return { ok: true, value: q.default ? 'y' : 'n' };
        if (/^(y|yes)$/i.test(a)) return { ok: true, value: 'y' };
        if (/^(n|no)$/i.test(a)) return { ok: true, value: 'n' };
        return { ok: false, why: 'answer y or n' };
      });
      return v === 'y';
    },
    say: (line) => out(`${line}\n`),
    close: () => rl.close(),
  };
}

/** The terminal prompter when stdin and stdout are a terminal, else the line prompter on stdin/stdout. */
export function defaultPrompter(): Prompter {
  return process.stdin.isTTY && process.stdout.isTTY ? terminalPrompter() : linePrompter({ input: process.stdin, output: process.stdout });
}

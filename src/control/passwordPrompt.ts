// Reading the admin password: from the terminal without echo, or (with --password-stdin, or when stdin is not
// a terminal) one password per line from stdin. Never from argv (visible in `ps` and shell history).

export class PromptAborted extends Error {}

/** Reads `count` lines from a non-TTY stdin (one password per line). */
export async function readStdinLines(count: number, input: NodeJS.ReadableStream = process.stdin): Promise<string[]> {
  let text = '';
  for await (const chunk of input) {
    text += String(chunk);
    if (text.split('\n').length > count) break;
  }
  const lines = text.split(/\r?\n/).slice(0, count);
  if (lines.length < count || lines.some((l) => l === '')) {
    throw new PromptAborted(`expected ${count} password line(s) on stdin, got ${lines.filter((l) => l !== '').length}`);
  }
  return lines;
}

/** Asks on the terminal with echo off. Ctrl+C / Ctrl+D abort. */
export function promptHidden(question: string, input: NodeJS.ReadStream = process.stdin, output: NodeJS.WritableStream = process.stderr): Promise<string> {
  return new Promise((resolve, reject) => {
    output.write(question);
    let value = '';
    const wasRaw = input.isRaw;
    input.setRawMode(true);
    input.resume();
    input.setEncoding('utf8');
    const done = (err?: Error) => {
      input.setRawMode(wasRaw);
      input.pause();
      input.off('data', onData);
      output.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003' || ch === '\u0004') return done(new PromptAborted('aborted'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else if (ch >= ' ') value += ch;
      }
    };
    input.on('data', onData);
  });
}

export interface PasswordSource {
  fromStdin: boolean;
}

/** The passwords for `questions`, in order, from the terminal or stdin. */
export async function readPasswords(questions: string[], src: PasswordSource): Promise<string[]> {
  if (src.fromStdin || !process.stdin.isTTY) return readStdinLines(questions.length);
  const out: string[] = [];
  for (const q of questions) out.push(await promptHidden(q));
  return out;
}

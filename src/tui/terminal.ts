// The terminal side of the dashboard: alternate screen, hidden cursor, raw keyboard, redraw in place (at most
// 4 times a second, and every second for the countdowns), resize, and a terminal put back as it was on every
// way out (q, Ctrl+C, SIGINT/SIGTERM/SIGHUP, an exception).
import { ESC } from './ansi.ts';
import { parseKeys, type KeyAction } from './keys.ts';

const ENTER = `${ESC}?1049h${ESC}?25l${ESC}2J`;
const LEAVE = `${ESC}0m${ESC}?25h${ESC}?1049l`;
export const MIN_FRAME_MS = 250;

export interface TerminalOptions {
  input: NodeJS.ReadStream;
  output: NodeJS.WriteStream;
  /** The screen for the current size; called at most every MIN_FRAME_MS. */
  draw: (width: number, height: number) => string[];
  onKey: (action: KeyAction) => void;
}

export class TerminalScreen {
  private lastDraw = 0;
  private pending: ReturnType<typeof setTimeout> | undefined;
  private tick: ReturnType<typeof setTimeout> | undefined;
  private active = false;
  private previous: string[] = [];
  private readonly onData = (chunk: Buffer | string) => {
    for (const a of parseKeys(String(chunk))) this.opts.onKey(a);
  };
  private readonly onResize = () => {
    this.previous = [];
    this.opts.output.write(`${ESC}2J`);
    this.redraw();
  };
  /** Restores the terminal even when the process exits some other way. */
  private readonly onExit = () => this.restore();

  constructor(private readonly opts: TerminalOptions) {}

  enter(): void {
    const { input, output } = this.opts;
    this.active = true;
    output.write(ENTER);
    if (input.isTTY) input.setRawMode(true);
    input.setEncoding('utf8');
    input.on('data', this.onData);
    input.resume();
    output.on('resize', this.onResize);
    process.on('exit', this.onExit);
    this.redraw();
    this.scheduleTick();
  }

  /** Asks for a redraw; coalesced so the screen is drawn at most every MIN_FRAME_MS. */
  requestDraw(): void {
    if (!this.active || this.pending) return;
    const wait = Math.max(0, this.lastDraw + MIN_FRAME_MS - Date.now());
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.redraw();
    }, wait);
  }

  /** Puts the terminal back (idempotent). */
  restore(): void {
    if (!this.active) return;
    this.active = false;
    const { input, output } = this.opts;
    if (this.pending) clearTimeout(this.pending);
    if (this.tick) clearTimeout(this.tick);
    input.off('data', this.onData);
    output.off('resize', this.onResize);
    process.off('exit', this.onExit);
    if (input.isTTY) input.setRawMode(false);
    input.pause();
    output.write(LEAVE);
  }

  /** A redraw just after every wall-clock second, so mm:ss countdowns step once per second. */
  private scheduleTick(): void {
    this.tick = setTimeout(() => {
      this.requestDraw();
      this.scheduleTick();
    }, 1000 - (Date.now() % 1000) + 20);
  }

  private redraw(): void {
    if (!this.active) return;
    this.lastDraw = Date.now();
    const width = Math.max(20, this.opts.output.columns || 80);
    const height = Math.max(5, this.opts.output.rows || 24);
    const lines = this.opts.draw(width, height);
    // Only changed lines are rewritten, each at its row: no flicker, no scrolling.
    let out = '';
    lines.forEach((line, i) => {
      if (this.previous[i] !== line) out += `${ESC}${i + 1};1H${line}`;
    });
    this.previous = lines;
    if (out) this.opts.output.write(out);
  }
}

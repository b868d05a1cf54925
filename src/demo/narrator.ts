// The demo's terminal story: each scripted trader action, each enforcement riskd made (rule, reason, how
// fast), each lock and its release, in plain words (endpoints and intent kinds stay in the log and in
// `riskd history --format json`). Reads only what the daemon publishes to its listeners.
import type { Daemon } from '../runtime/daemon.ts';
import { lockDescription, money } from '../format/plain.ts';
import { feedLine } from '../control/dashboard/feedLine.ts';
import type { AuditRow } from '../enforce/auditTrail.ts';
import type { Simulator } from '../sim/index.ts';

const tty = (process.stdout as { isTTY?: boolean }).isTTY === true;
const paint = (code: string, s: string) => (tty ? `\x1b[${code}m${s}\x1b[0m` : s);
const bold = (s: string) => paint('1', s);
const red = (s: string) => paint('31', s);
const green = (s: string) => paint('32', s);
const yellow = (s: string) => paint('33', s);
const cyan = (s: string) => paint('36', s);

export class Narrator {
  private readonly t0 = Date.now();
  private readonly rows = new Map<number, AuditRow>();
  private seq = 0;
  private readonly announced = new Set<number>();
  private zone = 'America/Chicago';
  private readonly order = new Map<number, number>(); // row id -> sequence when first seen

  constructor(private readonly out: NodeJS.WritableStream) {}

  private line(who: string, text: string): void {
    const s = ((Date.now() - this.t0) / 1000).toFixed(1).padStart(6);
    this.out.write(`${s}s  ${who.padEnd(7)} ${text}\n`);
  }

  banner(sim: Simulator, dir: string): void {
    this.out.write(`${bold('riskd demo')}: a ProjectX-compatible gateway simulator on ${sim.url}, riskd enforcing on it.\n`);
    this.out.write(`state and logs: ${dir}\n\n`);
  }

  step(title: string, rule: string): void {
    this.out.write(`\n${bold(title)}  ${cyan(`(${rule})`)}\n`);
  }

  trader(text: string): void {
    this.line(yellow('TRADER'), text);
  }

  say(who: string, text: string): void {
    this.line(who, text);
  }

  mark(): number {
    return this.seq;
  }

  /** A confirmed close of `contractId` by riskd, first seen after `mark`. */
  confirmedCloseSince(mark: number, contractId: string): boolean {
    for (const [id, r] of this.rows) {
      if ((this.order.get(id) ?? 0) <= mark) continue;
      if (r.contractId === contractId && r.status === 'confirmed' && (r.endpoint ?? '').startsWith('Position/')) return true;
    }
    return false;
  }

  attach(daemon: Daemon): void {
    this.zone = daemon.configOf(daemon.status().accounts[0]?.id ?? 0).trading_day.timezone;
    daemon.addListener({
      onEnforcement: (row) => this.onRow(row),
      onLock: (c) => {
        const l = c.lock;
        if (c.type === 'lock.set') {
          this.line(red('LOCK'), `${l.rule} ${lockDescription(l, this.zone, Date.now())}: ${l.reason}`);
        } else {
          this.line(green('UNLOCK'), `${l.rule} lock released (${c.how ?? 'released'})`);
        }
      },
    });
  }

  private onRow(row: Readonly<AuditRow>): void {
    if (!this.order.has(row.id)) this.order.set(row.id, ++this.seq);
    const prev = this.rows.get(row.id);
    this.rows.set(row.id, { ...row });
    if (prev?.status === row.status || row.status === 'pending' || row.status === 'skipped') return;
    const what = feedLine(row).text; // "closed 2 MNQ: over your 3-contract limit", as the dashboard feed says it
    const numbers = JSON.parse(row.numbers || '{}') as { latency?: { triggerToRequestMs?: number; triggerToConfirmMs?: number } };
    if (!this.announced.has(row.id)) {
      this.announced.add(row.id);
      const ms = numbers.latency?.triggerToRequestMs;
      this.line(red('RISKD'), `${bold(row.rule)} ${what}${ms !== undefined ? ` (sent ${ms} ms after the event)` : ''}`);
    }
    if (row.status === 'confirmed' || row.status === 'reconciled') {
      const ms = numbers.latency?.triggerToConfirmMs;
      this.line(green('  done'), ms !== undefined ? `confirmed ${ms} ms after the event` : 'confirmed');
    } else if (row.status === 'failed') {
      this.line(red('  FAIL'), `could not: ${what} (${row.outcome ?? 'no outcome recorded'})`);
    }
  }

  summary(daemon: Daemon): void {
    const st = daemon.status();
    this.out.write(`\n${bold('Summary')}\n`);
    for (const a of st.accounts) {
      this.out.write(`  ${a.name}: realized today ${money(a.realized)}, open contracts ${a.openContracts}\n`);
      for (const l of a.locks) this.out.write(`    ${l.rule}: ${lockDescription(l, this.zone, st.now)} (${l.reason})\n`);
    }
    const sent = [...this.rows.values()].filter((r) => r.status === 'confirmed' || r.status === 'reconciled');
    this.out.write(`  ${sent.length} enforcement actions confirmed; every one is in the enforcement log.\n`);
  }

  /** The exact commands to look further, pointed at this demo's data dir (a plain `riskd history` reads ./data). */
  followUps(dataDir: string, dashboardPort: number | null, running: boolean): void {
    const q = /^[\w./-]+$/.test(dataDir) ? dataDir : `'${dataDir.replace(/'/g, `'\\''`)}'`;
    this.out.write(`\n${bold('Look closer')}\n`);
    this.out.write(`  npx riskd history --data-dir ${q}            every action riskd took, and why\n`);
    this.out.write(`  npx riskd history --data-dir ${q} --kind locks   every lock\n`);
    this.out.write(`  npx riskd status --data-dir ${q}             locks, limits and P&L${running ? '' : ' (saved state: riskd has stopped)'}\n`);
    this.out.write(`  npx riskd watch --data-dir ${q}              live terminal dashboard${running ? '' : ' (saved state)'}\n`);
    if (running && dashboardPort !== null) {
      this.out.write(`  http://127.0.0.1:${dashboardPort}/               the trader dashboard in a browser\n`);
      this.out.write(`  http://127.0.0.1:${dashboardPort}/inspector      the statecharts and their transitions\n`);
    }
  }
}

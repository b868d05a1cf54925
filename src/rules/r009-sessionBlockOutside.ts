// RULE-009 session_block_outside: trading only inside the configured windows. The account machine's session
// region decides timing (it sends clock triggers at window edges); this rule turns the session state at `now`
// into verdicts:
//  - outside every window: lock until_session (the kill switch then closes new positions and cancels new
//    orders); with flatten_at_end, open positions and working orders are flattened too;
//  - a blackout with flatten: flatten + cancel all, locked until the blackout ends;
//  - a blackout without flatten: no new positions (a cooldown lock until its end leaves older ones alone).
import type { RiskRules } from '../config/types.ts';
import { sessionStateAt } from '../calendar/session.ts';
import type { RuleContext, SessionState } from './context.ts';
import type { Intent, Verdict } from './types.ts';
import { NO_VERDICTS } from './util.ts';
import { clock } from '../format/plain.ts';

type Cfg = RiskRules['session_block_outside'];

function hasExposure(ctx: RuleContext): boolean {
  return ctx.view.positions().length > 0 || ctx.view.workingOrders().length > 0;
}

function flattenAll(ctx: RuleContext): Intent[] {
  return [
    { type: 'flatten', accountId: ctx.view.accountId },
    { type: 'cancelAll', accountId: ctx.view.accountId },
  ];
}

/** Outside every window (or at a window's end): lock until_session; flatten too with flatten_at_end. */
export function outsideSessionVerdict(cfg: Cfg, ctx: RuleContext, session: SessionState): Verdict {
  const at = (t: number): string => clock(t, cfg.timezone, ctx.now);
  const until = session.nextOpen !== null ? `until ${at(session.nextOpen)}` : 'until the next session';
  const flatten = cfg.flatten_at_end && hasExposure(ctx);
  const reason =
    ctx.event.kind === 'clock' && ctx.event.edge === 'windowEnd' ? 'Trading session ended' : 'Outside your trading hours';
  return {
    rule: 'RULE-009',
    intents: flatten ? flattenAll(ctx) : [],
    lock: {
      kind: 'until_session',
      rule: 'RULE-009',
      reason,
      ...(session.nextOpen !== null ? { until: session.nextOpen } : {}),
    },
    message: `${reason}: ${flatten ? 'flattened, ' : ''}locked ${until}`,
    numbers: session.nextOpen !== null ? { value: session.nextOpen } : {},
  };
}

/** During a blackout: flatten + until_session lock to its end (flatten: true), else a cooldown to its end. */
export function blackoutVerdict(
  cfg: Cfg,
  ctx: RuleContext,
  b: { start: number; end: number; flatten: boolean },
): Verdict {
  const at = (t: number): string => clock(t, cfg.timezone, ctx.now);
  const reason = `News blackout ${at(b.start)}–${at(b.end)}`;
  const flatten = b.flatten && hasExposure(ctx);
  return {
    rule: 'RULE-009',
    intents: flatten ? flattenAll(ctx) : [],
    lock: b.flatten
      ? { kind: 'until_session', rule: 'RULE-009', reason, until: b.end }
      : { kind: 'cooldown', rule: 'RULE-009', reason, until: b.end },
    message: `${reason}: ${flatten ? 'flattened, ' : ''}no new positions until ${at(b.end)}`,
    numbers: { value: b.end },
  };
}

export function sessionBlockOutside(cfg: Cfg, ctx: RuleContext): readonly Verdict[] {
  if (!cfg.enabled || ctx.event.kind === 'quote') return NO_VERDICTS;
  const session = ctx.session ?? sessionStateAt(ctx.now, cfg);
  if (session.inside && !session.blackout) return NO_VERDICTS;
  const verdicts: Verdict[] = [];
  if (!session.inside) verdicts.push(outsideSessionVerdict(cfg, ctx, session));
  if (session.blackout) verdicts.push(blackoutVerdict(cfg, ctx, session.blackout));
  return verdicts;
}

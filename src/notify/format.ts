// What one notification looks like on each webhook type: Discord `{content}`, Telegram sendMessage
// `{chat_id, text}`, generic JSON with the structured fields.
import type { WebhookConfig } from '../config/types.ts';
import type { NOTIFICATION_EVENTS } from '../config/schema.ts';

export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

export interface Notification {
  event: NotificationEvent;
  at: number;
  account: string | null;
  /** One line, e.g. "PRAC-V2-1 locked by RULE-003". */
  title: string;
  /** Detail in words. */
  text: string;
  data: Record<string, unknown>;
}

const DISCORD_MAX = 2000;
const TELEGRAM_MAX = 4096;

const clip = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

export function webhookBody(hook: WebhookConfig, n: Notification): unknown {
  const line = `${n.title}\n${n.text}`;
  switch (hook.type) {
    case 'discord':
      return { content: clip(`**${n.title}**\n${n.text}`, DISCORD_MAX) };
    case 'telegram':
      return { chat_id: hook.chat_id, text: clip(line, TELEGRAM_MAX), disable_web_page_preview: true };
    case 'json':
      return { source: 'riskd', event: n.event, at: new Date(n.at).toISOString(), account: n.account, title: n.title, text: n.text, data: n.data };
  }
}

/** How a webhook is named in logs: its type, position and host only (the path may hold a bot token). */
export function webhookLabel(hook: WebhookConfig, index: number): string {
  let host = '?';
  try {
    host = new URL(hook.url).host;
  } catch {
    // schema-validated already; keep "?"
  }
  return `${hook.type} webhook #${index + 1} (${host})`;
}

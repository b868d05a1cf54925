// CME Globex hours for equity-index futures, in America/Chicago: Sunday 17:00 to Friday 16:00, with the
// daily maintenance halt 16:00-17:00 Monday to Thursday. Used only to judge market-hub liveness (a silent
// market hub while the market is open is stale); holidays simply look like a stale hub and cost a reconnect.
import { DateTime } from 'luxon';

const ZONE = 'America/Chicago';

export function isGlobexOpen(at: number): boolean {
  const t = DateTime.fromMillis(at, { zone: ZONE });
  const minutes = t.hour * 60 + t.minute;
  const halt = minutes >= 16 * 60 && minutes < 17 * 60;
  switch (t.weekday) {
    case 6: // Saturday
      return false;
    case 7: // Sunday: opens at 17:00
      return minutes >= 17 * 60;
    case 5: // Friday: closes at 16:00
      return minutes < 16 * 60;
    default:
      return !halt;
  }
}

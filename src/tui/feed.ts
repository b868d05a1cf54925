// Keeps the dashboard model current. While the control server answers: status pushes (every second) and the
// viewer `history` command for the enforcement list. When it does not (refused, closed, or silent for a few
// seconds): the data dir's state.db read-only, and the daemon retried every `retryMs`. Read-only by
// construction: the only command this sends is `history`, a viewer command.
import { ControlClient } from '../control/client.ts';
import { controlPort, openStateReadOnly, stateFile } from '../control/locate.ts';
import { offlineStatus } from '../control/offlineStatus.ts';
import { queryHistory, type HistoryRow } from '../control/history.ts';
import type { StatusSnapshot } from '../control/statusSnapshot.ts';
import { fromLive, fromOffline } from './toModel.ts';
import { emptyModel, type WatchModel } from './model.ts';

export interface FeedOptions {
  dataDir: string;
  /** --port; default: the port the daemon recorded in its store, else 8765. */
  port?: number;
  onModel: (m: WatchModel) => void;
  /** Daemon retry period while down (and SQLite re-read). Default 2000 ms. */
  retryMs?: number;
  /** No status push for this long = the daemon is gone. Default 3500 ms (pushes come every second). */
  staleMs?: number;
  now?: () => number;
}

const HISTORY_LIMIT = 200;

export class WatchFeed {
  private client: ControlClient | undefined;
  private status: StatusSnapshot | undefined;
  private history: HistoryRow[] = [];
  private lastPushAt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private watchdog: ReturnType<typeof setInterval> | undefined;
  private historyDue = false;
  private stopped = false;
  private readonly now: () => number;
  readonly dataFile: string;
  model: WatchModel;

  constructor(private readonly opts: FeedOptions) {
    this.now = opts.now ?? Date.now;
    this.dataFile = stateFile(opts.dataDir);
    this.model = emptyModel(this.dataFile);
  }

  start(): void {
    void this.attempt();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.watchdog) clearInterval(this.watchdog);
    this.client?.close();
    this.client = undefined;
  }

  private publish(m: WatchModel): void {
    this.model = m;
    this.opts.onModel(m);
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    const port = controlPort(this.opts.dataDir, this.opts.port);
    try {
      const client = await ControlClient.connect(port, { timeoutMs: 2_000 });
      if (this.stopped) {
        client.close();
        return;
      }
      this.goLive(client);
    } catch (err) {
      this.showOffline(`(${err instanceof Error ? err.message : String(err)})`); // the message names 127.0.0.1:port
      this.timer = setTimeout(() => void this.attempt(), this.opts.retryMs ?? 2_000);
    }
  }

  private goLive(client: ControlClient): void {
    this.client = client;
    this.status = client.firstStatus;
    this.lastPushAt = this.now();
    client.onPush((msg) => {
      if (msg.type === 'status') {
        this.status = msg.data as StatusSnapshot;
        this.lastPushAt = this.now();
        this.publishLive();
      } else if (msg.type === 'enforcement' || msg.type === 'lock') {
        void this.refreshHistory();
      }
    });
    this.publishLive();
    void this.refreshHistory();
    this.watchdog = setInterval(() => {
      if (this.now() - this.lastPushAt > (this.opts.staleMs ?? 3_500)) this.lost('no status from the daemon for a few seconds');
    }, 500);
  }

  private lost(why: string): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = undefined;
    this.client?.close();
    this.client = undefined;
    this.status = undefined;
    this.showOffline(`(${why})`);
    if (!this.stopped) this.timer = setTimeout(() => void this.attempt(), this.opts.retryMs ?? 2_000);
  }

  private async refreshHistory(): Promise<void> {
    const client = this.client;
    if (!client || this.historyDue) return;
    this.historyDue = true;
    try {
      this.history = await client.call<HistoryRow[]>('history', { kind: 'enforcement', limit: HISTORY_LIMIT });
      this.publishLive();
    } catch (err) {
      if (this.client === client) this.lost(`history: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      this.historyDue = false;
    }
  }

  private publishLive(): void {
    if (!this.status || this.stopped) return;
    this.publish(fromLive(this.status, this.history, this.dataFile));
  }

  /** Reads the saved state read-only (closing the file right after, so the daemon can start again). */
  private showOffline(reason: string): void {
    if (this.stopped) return;
    let store;
    try {
      store = openStateReadOnly(this.opts.dataDir);
    } catch (err) {
      this.publish(fromOffline(null, [], this.dataFile, `${reason}; state unreadable: ${err instanceof Error ? err.message : String(err)}`));
      return;
    }
    if (!store) {
      this.publish(fromOffline(null, [], this.dataFile, `${reason}; no state saved there yet`));
      return;
    }
    try {
      const status = offlineStatus(store, this.now());
      const history = queryHistory(store, { kind: 'enforcement', limit: HISTORY_LIMIT });
      this.publish(fromOffline(status, history, this.dataFile, reason));
    } finally {
      store.close();
    }
  }
}

// Graph layout by ELK (the Eclipse Layout Kernel, as elkjs): layered, hierarchy-aware, with edge routing and
// label placement, so the statecharts are drawn by a kept library rather than a hand-written layout.
// elkjs's public API answers through a Promise because it normally runs in a Web Worker; inside Node it runs
// its "fake worker" in-process, which computes synchronously. We talk to that worker directly (its own message
// protocol: {cmd: 'layout', graph}) so `renderDiagram` stays synchronous for the CLI and the inspector route.
import { createRequire } from 'node:module';
import type { ElkNode } from 'elkjs/lib/elk-api.js';

export type { ElkNode, ElkExtendedEdge, ElkLabel } from 'elkjs/lib/elk-api.js';

interface FakeWorker {
  onmessage: (msg: { data: { id: number; data?: ElkNode; error?: unknown } }) => void;
  dispatcher: { saveDispatch(event: { data: { id: number; cmd: 'register'; algorithms: string[] } | { id: number; cmd: 'layout'; graph: ElkNode } }): void };
}

let worker: FakeWorker | undefined;

function elkWorker(): FakeWorker {
  if (!worker) {
    // Loaded on first use: the layout kernel is 1.6 MB of JavaScript that only diagrams need.
    const { Worker } = createRequire(import.meta.url)('elkjs/lib/elk-worker.min.js') as { Worker: new () => FakeWorker };
    worker = new Worker();
    // What elkjs's own API does on construction: make the layered algorithm available.
    worker.onmessage = () => {};
    worker.dispatcher.saveDispatch({ data: { id: 0, cmd: 'register', algorithms: ['layered'] } });
  }
  return worker;
}

/** Lays out `graph` (ELK JSON) and returns it with coordinates filled in. */
export function elkLayout(graph: ElkNode): ElkNode {
  const w = elkWorker();
  let reply: { data?: ElkNode; error?: unknown } | undefined;
  w.onmessage = (msg) => {
    reply = msg.data;
  };
  w.dispatcher.saveDispatch({ data: { id: 1, cmd: 'layout', graph } });
  if (!reply) throw new Error('elkjs answered asynchronously: its in-process worker changed (see src/control/inspector/elkLayout.ts)');
  if (reply.error !== undefined) throw new Error(`elkjs layout failed: ${reply.error instanceof Error ? reply.error.message : JSON.stringify(reply.error)}`);
  return reply.data!;
}

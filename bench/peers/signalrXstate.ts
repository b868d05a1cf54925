// Decomposition peer: the sig+raw peer (the @microsoft/signalr client and the floor's pre-built request) with one
// XState v5 macrostep between the position frame and the request: a one-state machine hears the position, a
// guard compares it with the limit, an assign counts the breach and an action writes the close. Against sig+raw
// it shows what one XState decision costs cold, the least any statechart-driven enforcer pays per breach. Run
// through bench/latency-process.ts (BENCH_ENFORCERS=...,sig+xstate).
import { assign, createActor, setup } from 'xstate';
import type { PeerConfig } from './config.ts';
import { hubClient } from './hubClient.ts';
import { login, rawCloser } from './rawRequest.ts';

const c = JSON.parse(process.argv[2] ?? '') as PeerConfig;
const token = await login(c);
const close = rawCloser(c, token);

type PositionEvent = { type: 'position'; contractId: string; size: number };
const enforcer = setup({
  types: { context: {} as { limit: number; reduced: number }, events: {} as PositionEvent },
  guards: { overLimit: ({ context, event }) => event.size > context.limit },
  actions: {
    reduce: ({ context, event }) => close(event.size - context.limit),
  },
}).createMachine({
  context: { limit: c.limit, reduced: 0 },
  initial: 'watching',
  states: {
    watching: {
      on: {
        position: { guard: 'overLimit', actions: [assign({ reduced: ({ context }) => context.reduced + 1 }), 'reduce'] },
      },
    },
  },
});
const actor = createActor(enforcer).start();

const hub = hubClient(c.userHubUrl, token);
hub.on('GatewayUserPosition', ({ data }: { data: { contractId: string; size: number } }) => {
  if (data.contractId === c.contractId) actor.send({ type: 'position', contractId: data.contractId, size: data.size });
});
await hub.start();
await hub.invoke('SubscribePositions', c.accountId);
console.log('ready');

/**
 * Latency probes for the migration bench: where the time of a provider call above its injected latency goes.
 * A probe times every HTTP exchange of one process (a client's request sent → response received, or a server's
 * request arrived → response sent, from Node's http diagnostics channels) and that process's event-loop delay.
 * `installLatencyProbe`, `readLatencyProbe` and `spread` use nothing from outside their own bodies (but each
 * other, passed in), so the bench also runs them in another process (the delegate, through its inspector) by
 * their source text.
 */

/** A distribution in milliseconds. */
export interface Spread {
  count: number;
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface LatencyReading {
  /** Each HTTP exchange this process took part in, from its side, as `side` says. */
  exchanges: Spread;
  /** How late this process's event loop ran a timer due now (perf_hooks.monitorEventLoopDelay, less its sampling interval). */
  loopDelay: Spread;
}

/** Starts (or restarts) this process's probe; `side` chooses which HTTP exchanges it times, if any. */
export function installLatencyProbe(side: 'client' | 'server' | 'loop'): void {
  const perf = process.getBuiltinModule('node:perf_hooks');
  const channels = process.getBuiltinModule('node:diagnostics_channel');
  const holder = globalThis as { __latencyProbe?: { stop(): void } };
  holder.__latencyProbe?.stop();
  const exchanges = perf.createHistogram();
  const resolutionMs = 5;
  const loopDelay = perf.monitorEventLoopDelay({ resolution: resolutionMs });
  const started = new WeakMap<object, bigint>();
  const [startName, endName] = side === 'client' ? ['http.client.request.start', 'http.client.response.finish'] : ['http.server.request.start', 'http.server.response.finish'];
  // A client's exchange is keyed by its request; a server's by its response, which both events carry.
  const key = (message: unknown) => (side === 'client' ? (message as { request: object }).request : (message as { response: object }).response);
  const onStart = (message: unknown) => started.set(key(message), process.hrtime.bigint());
  const onEnd = (message: unknown) => {
    const from = started.get(key(message));
    if (from !== undefined) exchanges.record(Math.max(1, Number(process.hrtime.bigint() - from)));
  };
  const timesExchanges = side !== 'loop';
  if (timesExchanges) {
    channels.subscribe(startName, onStart);
    channels.subscribe(endName, onEnd);
  }
  loopDelay.enable();
  holder.__latencyProbe = Object.assign(
    {
      stop() {
        if (timesExchanges) {
          channels.unsubscribe(startName, onStart);
          channels.unsubscribe(endName, onEnd);
        }
        loopDelay.disable();
      },
    },
    { exchanges, loopDelay, resolutionMs },
  );
}

interface Histogram {
  count: number;
  mean: number;
  max: number;
  percentile(p: number): number;
}

/** A histogram of nanoseconds as a spread in milliseconds. Self-contained, like the probe: it travels as source text. */
export function spread(histogram: Histogram): Spread {
  const ms = (ns: number) => Math.round(ns / 1e3) / 1e3;
  const some = histogram.count > 0;
  return {
    count: histogram.count,
    meanMs: some ? ms(histogram.mean) : 0,
    p50Ms: some ? ms(histogram.percentile(50)) : 0,
    p99Ms: some ? ms(histogram.percentile(99)) : 0,
    maxMs: some ? ms(histogram.max) : 0,
  };
}

/** What this process's probe saw since it was installed. In another process, pass `spread` by its source too. */
export function readLatencyProbe(toSpread: (histogram: Histogram) => Spread = spread): LatencyReading {
  const probe = (globalThis as { __latencyProbe?: { exchanges: Histogram; loopDelay: Histogram; resolutionMs: number } }).__latencyProbe;
  if (!probe) throw new Error('no latency probe was installed in this process');
  // The monitor records the whole interval between its samples: the interval itself is no delay.
  const loop = toSpread(probe.loopDelay);
  const late = (ms: number) => Math.max(0, Math.round((ms - probe.resolutionMs) * 1000) / 1000);
  return {
    exchanges: toSpread(probe.exchanges),
    loopDelay: { count: loop.count, meanMs: late(loop.meanMs), p50Ms: late(loop.p50Ms), p99Ms: late(loop.p99Ms), maxMs: late(loop.maxMs) },
  };
}

/**
 * In the delegate (by source text, through its inspector): times each request main sends it, from its arrival on
 * the IPC channel to the reply's send, by operation. Against the same requests as main times them, this splits
 * the delegate's own handling from the channel and the two event loops. Relies on the envelope's JSON beginning
 * `{"id":N,"request":{"op":"…"` and a reply's `{"id":N,"ok"`, as JSON.stringify writes them in
 * supervisor.ts and src-delegate/main.ts.
 */
export function installDelegateRequestProbe(): void {
  const perf = process.getBuiltinModule('node:perf_hooks');
  const arrived = new Map<number, { op: string; at: bigint }>();
  const byOp = new Map<string, ReturnType<typeof perf.createHistogram>>();
  process.prependListener('message', (raw: unknown) => {
    const match = typeof raw === 'string' ? /^\{"id":(\d+),"request":\{"op":"([^"]+)"/.exec(raw) : null;
    if (match) arrived.set(Number(match[1]), { op: match[2]!, at: process.hrtime.bigint() });
  });
  const send = process.send!.bind(process) as (message: unknown) => boolean;
  process.send = ((message: unknown) => {
    const match = typeof message === 'string' ? /^\{"id":(\d+),"ok"/.exec(message) : null;
    const request = match ? arrived.get(Number(match[1])) : undefined;
    if (request) {
      arrived.delete(Number(match![1]));
      let histogram = byOp.get(request.op);
      if (!histogram) byOp.set(request.op, (histogram = perf.createHistogram()));
      histogram.record(Math.max(1, Number(process.hrtime.bigint() - request.at)));
    }
    return send(message);
  }) as typeof process.send;
  (globalThis as { __delegateRequestProbe?: typeof byOp }).__delegateRequestProbe = byOp;
}

/** What installDelegateRequestProbe saw, by operation. */
export function readDelegateRequestProbe(toSpread: (histogram: Histogram) => Spread = spread): Record<string, Spread> {
  const byOp = (globalThis as { __delegateRequestProbe?: Map<string, Histogram> }).__delegateRequestProbe;
  if (!byOp) throw new Error('no delegate request probe was installed in this process');
  return Object.fromEntries([...byOp].map(([op, histogram]) => [op, toSpread(histogram)]));
}

import type WebSocket from 'ws';

export type WsEvent = { type: 'data'; data: Buffer } | { type: 'text'; text: string };

/** A runner viewer socket's frames as an async iterator; ends when the socket closes or `signal` aborts. */
export async function* wsEvents(ws: WebSocket, signal: AbortSignal): AsyncGenerator<WsEvent> {
  const queue: WsEvent[] = [];
  let done = false;
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const poke = () => {
    wake?.();
    wake = null;
  };
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    queue.push(isBinary ? { type: 'data', data: Buffer.from(data) } : { type: 'text', text: data.toString('utf8') });
    poke();
  });
  ws.once('close', () => {
    done = true;
    poke();
  });
  ws.once('error', (err) => {
    failure = err;
    done = true;
    poke();
  });
  const stop = () => {
    done = true;
    poke();
  };
  signal.addEventListener('abort', stop, { once: true });
  try {
    while (true) {
      if (queue.length) {
        yield queue.shift()!;
        continue;
      }
      if (done) break;
      await new Promise<void>((r) => (wake = r));
    }
    if (failure && !signal.aborted) throw failure;
  } finally {
    signal.removeEventListener('abort', stop);
  }
}

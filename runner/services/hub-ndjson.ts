import type { ServerResponse } from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import type { ProcHub } from './proc-hub';
import { writeEvent } from './output-pump';

/** A reader this far behind is not reading; drop it rather than buffer for it. */
const MAX_LAG_BYTES = 8 * 1024 * 1024;

/**
 * Streams a hub's output (replay, then live) to an HTTP response as NDJSON until the process
 * exits, after `first` when given (a start event). The hub reads for all viewers at once and
 * cannot wait for one, so a viewer whose response buffer grows past MAX_LAG_BYTES is cut off.
 * Closing the response only unsubscribes: the process keeps running.
 */
export function streamHubNdjson(hub: ProcHub, res: ServerResponse, first?: object): Promise<void> {
  // Already gone (the caller hung up while the process was starting): its 'close' has fired, so
  // subscribing would keep a viewer nobody reads until the process exits.
  if (res.destroyed) return Promise.resolve();
  res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
  if (first) writeEvent(res, first);
  else res.flushHeaders();
  const decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  return new Promise((resolve) => {
    let unsubscribe = () => {};
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      unsubscribe();
      resolve();
    };
    res.on('close', finish);
    unsubscribe = hub.subscribe({
      data(stream, data) {
        if (done) return;
        const text = decoders[stream].write(data);
        if (text) writeEvent(res, { type: stream, data: text });
        if (res.writableLength > MAX_LAG_BYTES) res.destroy();
      },
      end(exit) {
        if (done) return;
        for (const stream of ['stdout', 'stderr'] as const) {
          const rest = decoders[stream].end();
          if (rest) writeEvent(res, { type: stream, data: rest });
        }
        // No exit status means we lost the process (sandbox stopped); say so instead of lying.
        if (exit) writeEvent(res, { type: 'exit', ...exit });
        else writeEvent(res, { type: 'detached' });
        res.end();
        finish();
      },
    });
    if (done) unsubscribe();
  });
}

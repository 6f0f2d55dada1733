/**
 * A load-generator thread: one {@link OrderEntryDriver} (started by OrderEntryDriverThread from
 * dist/, see engine/ring/builtModule.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { TargetError } from '../clients/TargetError.js';
import { OrderEntryDriver, type OrderEntryDriverOptions } from './OrderEntryDriver.js';
import type { DriverReply, DriverRequest } from './OrderEntryDriverThread.js';

const port = parentPort;
if (port === null) throw new Error('OrderEntryDriver.worker must run on a worker thread');
const post = (reply: DriverReply, transfer: ArrayBuffer[] = []): void => port.postMessage(reply, transfer);

let driver: OrderEntryDriver | undefined;
try {
  driver = await OrderEntryDriver.connect(workerData as OrderEntryDriverOptions);
  post({ type: 'connected' });
} catch (error) {
  const e = error as Error;
  post({ type: 'error', message: e.message, ...(error instanceof TargetError ? { code: error.code, target: error.target } : {}) });
}

port.on('message', (request: DriverRequest) => {
  if (driver === undefined) return;
  switch (request.type) {
    case 'start': {
      // The run's time 0 as an epoch time, on this thread's clock (monotonicNowNs counts from timeOrigin).
      const runStartNs = (request.runStartEpochMs - performance.timeOrigin) * 1e6;
      driver.run(runStartNs).then(
        (result) => post({ type: 'result', result }, [result.sendTimesMs.buffer as ArrayBuffer, result.intendedTimesMs.buffer as ArrayBuffer]),
        (error: unknown) => post({ type: 'error', message: (error as Error).message }),
      );
      break;
    }
    case 'progress':
      post({ type: 'progress', id: request.id, progress: driver.progress() });
      break;
    case 'stop':
      driver.stop();
      break;
  }
});

/**
 * Preloaded (`--import`) into the engine process that clinic starts. clinic doctor and bubbleprof
 * inject their samplers with `-r` in NODE_OPTIONS, and Node runs those preloads again on every
 * worker thread: the engine's matcher thread then opens the same data files as the main thread
 * and the two interleave their writes, which clinic later refuses ("Decoded message is not
 * valid"). This module runs after the samplers on the main thread and points the data paths
 * that worker threads will inherit (a Worker copies process.env) at a scratch subdirectory, so
 * only the main thread (the gateways and the event loop that clinic's advice is about) lands in
 * the profile.
 */
import path from 'node:path';
import { isMainThread } from 'node:worker_threads';

/** The subdirectory of clinic's data directory that worker threads write to; ignored. */
const WORKER_SCRATCH_DIR = 'worker-threads';

if (isMainThread) {
  for (const key of ['NODE_CLINIC_DOCTOR_DATA_PATH', 'NODE_CLINIC_BUBBLEPROF_DATA_PATH']) {
    const dir = process.env[key];
    if (dir !== undefined && dir !== '') process.env[key] = path.join(dir, WORKER_SCRATCH_DIR);
  }
}

import { SpinThenParkWaitStrategy } from './SpinThenParkWaitStrategy.js';

/**
 * Parks on Atomics.wait at once when the ring is empty: no spinning at all, the lowest CPU use and
 * a futex wake-up (several µs) per wait. The spin-then-park strategy with zero spins.
 */
export class BlockingWaitStrategy extends SpinThenParkWaitStrategy {
  constructor() {
    super({ spinTries: 0 });
  }
}

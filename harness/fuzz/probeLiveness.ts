/**
 * Liveness probes: after a case whose only expectation is that the engine survives (havoc,
 * churn, floods) and every so often during streaming havoc, a fresh session must still work.
 */
import { OrderType, Side, TimeInForce } from '../../engine/protocol/codes.js';
import { encode } from '../../engine/protocol/encode.js';
import { MessageType } from '../../engine/protocol/messages.js';
import { TargetError } from '../clients/TargetError.js';
import type { FuzzCase } from './FuzzCase.js';
import type { FuzzRules } from './fuzzRules.js';
import { judgeOutcome } from './judgeOutcome.js';
import { playFuzzCase, type FuzzTarget, type PlayOptions } from './playFuzzCase.js';

/**
 * Whether the engine still works: a fresh session logs in and gets an ACK for a valid IOC buy on
 * the sweep symbol. Returns undefined if so, else what went wrong.
 */
export async function probeLiveness(target: FuzzTarget, rules: FuzzRules, clientId: number, play: PlayOptions): Promise<string | undefined> {
  try {
    return await probe(target, rules, clientId, play);
  } catch (error) {
    if (error instanceof TargetError) return error.message;
    throw error;
  }
}

/** {@link probeLiveness}, throwing TargetError (`unreachable`) when the connection cannot be made. */
export async function probe(target: FuzzTarget, rules: FuzzRules, clientId: number, play: PlayOptions): Promise<string | undefined> {
  const symbol = rules.sweepSymbol;
  const order = encode({ type: MessageType.NewOrder, symbolId: symbol.symbolId, sequence: 2, timestampNs: 2, clientOrderId: 1,
    price: symbol.minPrice, quantity: 1, side: Side.Buy, orderType: OrderType.Limit, timeInForce: TimeInForce.IOC });
  const probeCase: FuzzCase = {
    id: 'probe', class: 'semantic', description: 'liveness probe', login: true, chunks: [{ bytes: order }],
    expected: { answers: [{ type: 'ACK', clientOrderId: 1 }], end: { kind: 'alive', nextSequence: 3 } },
  };
  const observation = await playFuzzCase(target, probeCase, clientId, play);
  const verdict = judgeOutcome(probeCase.expected, observation);
  return verdict === undefined ? undefined : `probe session: ${verdict}`;
}

/**
 * Whether the market-data port still works: a fresh subscriber logs in, gets LOGIN_ACK, sends
 * LOGOUT and gets LOGOUT. Returns undefined if so, else what went wrong.
 */
export async function probeMarketDataLiveness(target: FuzzTarget, clientId: number, play: PlayOptions): Promise<string | undefined> {
  try {
    return await probeMarketData(target, clientId, play);
  } catch (error) {
    if (error instanceof TargetError) return error.message;
    throw error;
  }
}

/** {@link probeMarketDataLiveness}, throwing TargetError (`unreachable`) when the connection cannot be made. */
export async function probeMarketData(target: FuzzTarget, clientId: number, play: PlayOptions): Promise<string | undefined> {
  const probeCase: FuzzCase = {
    id: 'md/probe', class: 'md/sequence', channel: 'marketData', description: 'market-data liveness probe', login: true, chunks: [],
    expected: { answers: [], end: { kind: 'alive', nextSequence: 2 } },
  };
  const observation = await playFuzzCase(target, probeCase, clientId, play);
  const verdict = judgeOutcome(probeCase.expected, observation);
  return verdict === undefined ? undefined : `market-data probe subscriber: ${verdict}`;
}


/**
 * Plays the connection-churn cases (class `churn`, docs/FUZZ.md): what they do to connections
 * does not fit one connection's chunks, so each plan has its own player here. Half-closing is
 * the exception: it is one connection, so playFuzzCase does it.
 *
 * ```
 *  burst        N× connect ─► write nothing / 10 bytes of LOGIN / LOGIN ─► destroy all at once
 *  reset        [LOGIN] chunks ─► first answers ─► RST ─► same client id logs in again ─► `after`
 *  beyondLimit  max× (connect, LOGIN, LOGIN_ACK) ─► one more: connect, LOGIN ─► observed
 *               ─► every earlier session: LOGOUT answered ─► destroy all
 * ```
 * Every wait is bounded by the play options; every connection is destroyed at the end.
 */
import { codeName, SessionErrorReason } from '../../engine/protocol/codes.js';
import { encode } from '../../engine/protocol/encode.js';
import { MessageType } from '../../engine/protocol/messages.js';
import { TargetError } from '../clients/TargetError.js';
import { FUZZ_HEARTBEAT_INTERVAL_MS } from './fuzzCatalogue.js';
import type { ChurnPlan, FuzzCase, FuzzChannel } from './FuzzCase.js';
import {
  describeFrame, FuzzConnection, isAnswer, playFuzzCase, sleep, type FuzzTarget, type Observation, type PlayOptions,
} from './playFuzzCase.js';

/** How often a churn player retries what the engine may still be cleaning up after (a reset session, lingering connections), ms. */
const RETRY_EVERY_MS = 25;

/**
 * Plays `fuzzCase`: a churn case by its plan, any other case with {@link playFuzzCase}.
 * `nextClientId` hands out fresh client ids (a burst of LOGINs and the limit case need many).
 *
 * @throws TargetError (`unreachable`) if a connection the case depends on cannot be made.
 */
export async function playCase(target: FuzzTarget, fuzzCase: FuzzCase, nextClientId: () => number,
  options: PlayOptions): Promise<Observation> {
  const plan = fuzzCase.churn;
  if (plan === undefined || plan.kind === 'halfClose') return playFuzzCase(target, fuzzCase, nextClientId(), options);
  switch (plan.kind) {
    case 'burst': return playBurst(target, plan, nextClientId, options, channelOf(fuzzCase));
    case 'reset': return playReset(target, fuzzCase, plan, nextClientId(), options);
    case 'beyondLimit': return playBeyondLimit(target, plan, nextClientId, options, channelOf(fuzzCase));
  }
}

function channelOf(fuzzCase: FuzzCase): FuzzChannel {
  return fuzzCase.channel ?? 'orderEntry';
}

/** Market-data frames a logged-in subscriber may get at any time: the feed and its heartbeat. */
function isFeedFrame(type: number): boolean {
  return type === MessageType.Trade || type === MessageType.LevelUpdate || type === MessageType.Quote || type === MessageType.FeedHeartbeat;
}

function login(clientId: number): Uint8Array {
  return encode({ type: MessageType.Login, symbolId: 0, sequence: 1, timestampNs: 1, clientId, heartbeatIntervalMs: FUZZ_HEARTBEAT_INTERVAL_MS });
}

async function playBurst(target: FuzzTarget, plan: Extract<ChurnPlan, { kind: 'burst' }>, nextClientId: () => number,
  options: PlayOptions, channel: FuzzChannel): Promise<Observation> {
  const opened = await Promise.allSettled(Array.from({ length: plan.connections },
    () => FuzzConnection.open(target, options.connectTimeoutMs, channel)));
  const connections = opened.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
  try {
    const failed = opened.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed !== undefined) {
      return { frames: [], closed: false, churnFailed:
        `${plan.connections - connections.length} of ${plan.connections} connections could not be made: ${String((failed.reason as Error).message)}` };
    }
    for (const connection of connections) {
      if (plan.login === 'whole') connection.write(login(nextClientId()));
      else if (plan.login === 'partial') connection.write(login(0).subarray(0, 10));
    }
    // A whole LOGIN is given its answer; otherwise the connections go at once.
    if (plan.login === 'whole') {
      await Promise.all(connections.map((c) => c.waitFor(() => c.done || c.frames.length > 0, options.answerTimeoutMs)));
    } else {
      await sleep(0);
    }
    const problems: string[] = [];
    connections.forEach((c, i) => {
      if (c.malformed !== undefined) problems.push(`connection ${i}: malformed frame: ${c.malformed}`);
      for (const frame of c.frames) {
        const allowed = (frame.type === MessageType.LoginAck && plan.login === 'whole')
          || (frame.type === MessageType.SessionError && frame.reason === SessionErrorReason.TooManyConnections)
          || (channel === 'marketData' && plan.login === 'whole' && isFeedFrame(frame.type));
        if (!allowed) problems.push(`connection ${i}: ${describeFrame(frame)}`);
      }
      if (plan.login === 'whole' && c.frames.length === 0) problems.push(`connection ${i}: no answer to LOGIN${c.closed ? '; closed' : ''}`);
    });
    return problems.length === 0 ? { frames: [], closed: false }
      : { frames: [], closed: false, churnFailed: `${problems.length} unexpected: ${problems.slice(0, 3).join('; ')}` };
  } finally {
    for (const c of connections) c.destroy();
  }
}

async function playReset(target: FuzzTarget, fuzzCase: FuzzCase, plan: Extract<ChurnPlan, { kind: 'reset' }>, clientId: number,
  options: PlayOptions): Promise<Observation> {
  const first = await FuzzConnection.open(target, options.connectTimeoutMs, channelOf(fuzzCase));
  let frames;
  try {
    if (fuzzCase.login) {
      first.write(login(clientId));
      await first.waitFor(() => first.done || first.frames.length > 0, options.answerTimeoutMs);
      const ack = first.frames.shift();
      if (ack?.type !== MessageType.LoginAck) {
        return { frames: [], closed: first.closed, loginFailed: ack === undefined ? 'no LOGIN_ACK in time' : `got ${describeFrame(ack)}` };
      }
    }
    for (const chunk of fuzzCase.chunks) {
      if (chunk.pauseMs !== undefined && chunk.pauseMs > 0) await sleep(chunk.pauseMs);
      first.write(chunk.bytes);
    }
    await first.waitFor(() => first.done || first.frames.filter(isAnswer).length >= plan.answersFirst, options.answerTimeoutMs);
    frames = [...first.frames];
    const answers = frames.filter(isAnswer).length;
    if (answers < plan.answersFirst || first.malformed !== undefined) {
      return { frames, closed: first.closed, ...(first.malformed === undefined ? {} : { malformed: first.malformed }),
        churnFailed: `before the reset: ${answers} of ${plan.answersFirst} answers; got ${frames.map(describeFrame).join(', ') || 'nothing'}` };
    }
  } finally {
    first.reset();
  }
  // We reset it: what the engine sent before is the observation, the close is ours.
  if (plan.after === undefined) return { frames, closed: false };
  const again: FuzzCase = { id: fuzzCase.id, class: fuzzCase.class, channel: channelOf(fuzzCase), description: fuzzCase.description, login: true,
    chunks: [{ bytes: plan.after }], expected: fuzzCase.expected };
  // Until the engine has seen the reset, the client id is still logged in (InvalidLogin).
  const deadline = performance.now() + options.answerTimeoutMs;
  for (;;) {
    const observation = await playFuzzCase(target, again, clientId, options);
    const stillHeld = observation.loginFailed?.includes(codeName(SessionErrorReason, SessionErrorReason.InvalidLogin)) === true;
    if (!stillHeld) return observation;
    if (performance.now() > deadline) {
      return { ...observation, churnFailed: `the engine still held the reset session's client id after ${options.answerTimeoutMs} ms (${observation.loginFailed ?? ''})` };
    }
    await sleep(RETRY_EVERY_MS);
  }
}

async function playBeyondLimit(target: FuzzTarget, plan: Extract<ChurnPlan, { kind: 'beyondLimit' }>, nextClientId: () => number,
  options: PlayOptions, channel: FuzzChannel): Promise<Observation> {
  const sessions: FuzzConnection[] = [];
  let extra: FuzzConnection | undefined;
  try {
    // Connections of earlier cases may still be closing in the engine: a refusal is retried for a while.
    const deadline = performance.now() + options.answerTimeoutMs;
    while (sessions.length < plan.maxConnections) {
      const connection = await FuzzConnection.open(target, options.connectTimeoutMs, channel);
      connection.write(login(nextClientId()));
      await connection.waitFor(() => connection.done || connection.frames.length > 0, options.answerTimeoutMs);
      const answer = connection.frames[0];
      if (answer?.type === MessageType.LoginAck) {
        sessions.push(connection);
        continue;
      }
      connection.destroy();
      if (answer?.reason === SessionErrorReason.TooManyConnections && answer.type === MessageType.SessionError && performance.now() < deadline) {
        await sleep(RETRY_EVERY_MS);
        continue;
      }
      return { frames: [], closed: false, churnFailed: `session ${sessions.length + 1} of the ${plan.maxConnections} the limit allows ` +
        `could not log in: ${answer === undefined ? (connection.closed ? 'closed' : 'no answer') : describeFrame(answer)}` };
    }
    const last = await FuzzConnection.open(target, options.connectTimeoutMs, channel);
    extra = last;
    last.write(login(nextClientId()));
    await last.waitFor(() => last.done, options.answerTimeoutMs);
    const observation: Observation = { frames: [...last.frames], closed: last.closed,
      ...(last.malformed === undefined ? {} : { malformed: last.malformed }) };
    // The sessions inside the limit must not have been touched: each still answers LOGOUT.
    for (const s of sessions) s.write(encode({ type: MessageType.Logout, symbolId: 0, sequence: 2, timestampNs: 2, reason: 1 }));
    await Promise.all(sessions.map((s) => s.waitFor(() => s.done, options.answerTimeoutMs)));
    const own = (s: FuzzConnection): typeof s.frames => s.frames.filter((f) => !isFeedFrame(f.type));
    const hurt = sessions.filter((s) => own(s)[1]?.type !== MessageType.Logout || !s.closed || own(s).length !== 2);
    if (hurt.length > 0) {
      const s = hurt[0]!;
      return { ...observation, churnFailed: `${hurt.length} of the ${plan.maxConnections} sessions inside the limit did not answer LOGOUT ` +
        `after the extra connection (first: ${own(s).slice(1).map(describeFrame).join(', ') || 'nothing'}${s.closed ? ', closed' : ''})` };
    }
    return observation;
  } catch (error) {
    if (!(error instanceof TargetError)) throw error;
    return { frames: [], closed: false, churnFailed: `after ${sessions.length} sessions: ${error.message}` };
  } finally {
    for (const s of sessions) s.destroy();
    extra?.destroy();
  }
}

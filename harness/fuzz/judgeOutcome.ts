import { codeName, RejectReason, SessionErrorReason } from '../../engine/protocol/codes.js';
import { MessageType } from '../../engine/protocol/messages.js';
import type { ExpectedAnswer, ExpectedOutcome } from './FuzzCase.js';
import { describeFrame, isAnswer, type Observation, type ObservedFrame } from './playFuzzCase.js';

/**
 * Whether what the engine did matches what docs/PROTOCOL.md prescribes: undefined when it does,
 * else one line saying what happened instead.
 *
 * Answers to requests that precede a SESSION_ERROR or LOGOUT in the same write may be missing
 * (the protocol does not deliver reports of requests still inside the engine when the session
 * ends), so for those ends the observed answers need only be a prefix of the expected ones.
 */
export function judgeOutcome(expected: ExpectedOutcome, observed: Observation): string | undefined {
  if (observed.loginFailed !== undefined) return `login prelude failed: ${observed.loginFailed}`;
  if (observed.malformed !== undefined) return `the engine sent a malformed frame: ${observed.malformed}`;
  if (observed.churnFailed !== undefined) return observed.churnFailed;
  const answers = observed.frames.filter(isAnswer);
  const errors = observed.frames.filter((f) => f.type === MessageType.SessionError);
  const logouts = observed.frames.filter((f) => f.type === MessageType.Logout);
  const end = expected.end;
  if (end.kind === 'survives') {
    if (observed.closed && errors.length === 0 && logouts.length === 0) return 'closed the connection without SESSION_ERROR';
    return undefined;
  }
  const mayBeCut = end.kind === 'sessionError' || end.kind === 'closed' || end.kind === 'hangUp';
  const answersMatch = mayBeCut
    ? answers.length <= expected.answers.length && answers.every((a, i) => sameAnswer(expected.answers[i]!, a))
    : answers.length === expected.answers.length && answers.every((a, i) => sameAnswer(expected.answers[i]!, a));
  if (!answersMatch) {
    return `answers: expected [${runs(expected.answers.map(describeExpected))}], got [${runs(answers.map(describeFrame))}]${closing(observed)}`;
  }
  switch (end.kind) {
    case 'sessionError': {
      const first = errors[0];
      if (first === undefined) return `no SESSION_ERROR; ${happened(observed)}`;
      if (first.reason !== end.reason) return `SESSION_ERROR ${codeName(SessionErrorReason, first.reason ?? 0)} instead${closing(observed)}`;
      if (end.refSequence !== undefined && first.refSequence !== end.refSequence) {
        return `SESSION_ERROR ${codeName(SessionErrorReason, end.reason)} with refSequence ${first.refSequence ?? '?'} instead of ${end.refSequence}`;
      }
      if (!observed.closed) return 'SESSION_ERROR with the right reason, but the connection stayed open';
      return undefined;
    }
    case 'alive':
      if (errors.length > 0) return `${describeFrame(errors[0]!)}: the session should have gone on`;
      if (logouts.length === 0) return `the session did not answer LOGOUT (sequence ${end.nextSequence}); ${happened(observed)}`;
      if (!observed.closed) return 'answered LOGOUT but did not close';
      return undefined;
    case 'silent':
      if (errors.length > 0 || logouts.length > 0) return `${describeFrame(errors[0] ?? logouts[0]!)} where an unfinished frame should wait`;
      if (observed.closed) return 'closed the connection while a frame was unfinished';
      return undefined;
    case 'hangUp': {
      const unexpected = errors.find((e) => !end.reasons.includes(e.reason ?? -1));
      if (unexpected !== undefined) return `${describeFrame(unexpected)} instead of a close${closing(observed)}`;
      if (!observed.closed) return 'the connection stayed open';
      return undefined;
    }
    case 'closed':
      if (errors.length > 0) return `${describeFrame(errors[0]!)} instead of a close`;
      if (end.logout && logouts.length === 0) return `no LOGOUT before the close; ${happened(observed)}`;
      if (!observed.closed) return 'the connection stayed open';
      return undefined;
  }
}

/** `REJECT InvalidSide (clientOrderId 1002)`, for reports. */
export function describeExpected(answer: ExpectedAnswer): string {
  const reason = answer.reason === undefined ? '' : ` ${codeName(RejectReason, answer.reason)}`;
  const snapshot = answer.symbolId === undefined ? '' : ` (symbol ${answer.symbolId}, ≤ ${answer.maxLevelsPerSide ?? '?'} levels a side)`;
  return `${answer.type}${reason}${answer.clientOrderId === undefined ? '' : ` (clientOrderId ${answer.clientOrderId})`}${snapshot}`;
}

/** One line for an expected outcome: `REJECT InvalidSide (clientOrderId 1002), then alive`. */
export function describeOutcome(expected: ExpectedOutcome): string {
  const end = expected.end;
  const endText = end.kind === 'sessionError'
    ? `SESSION_ERROR ${codeName(SessionErrorReason, end.reason)}${end.refSequence === undefined ? '' : ` (refSequence ${end.refSequence})`} then close`
    : end.kind === 'alive' ? 'the session goes on (LOGOUT answered)'
      : end.kind === 'silent' ? 'nothing more, connection open'
        : end.kind === 'closed' ? (end.logout ? 'LOGOUT then close' : 'close')
          : end.kind === 'hangUp' ? `close, silently or after SESSION_ERROR ${end.reasons.map((r) => codeName(SessionErrorReason, r)).join(' or ')}`
          : 'the engine stays up (any protocol reaction)';
  return expected.answers.length === 0 ? endText : `${runs(expected.answers.map(describeExpected))}, then ${endText}`;
}

/** One line for what the engine did. */
export function describeObservation(observed: Observation): string {
  if (observed.loginFailed !== undefined) return `login prelude failed: ${observed.loginFailed}`;
  if (observed.churnFailed !== undefined) return observed.churnFailed;
  const frames = runs(observed.frames.map(describeFrame));
  return `${frames === '' ? 'no frames' : frames}${observed.malformed === undefined ? '' : `, then malformed bytes (${observed.malformed})`}${closing(observed)}`;
}

/** `a, b, b, b` → `a, 3 × b`: floods answer thousands of times alike. */
function runs(items: readonly string[]): string {
  const out: string[] = [];
  for (let i = 0; i < items.length;) {
    let j = i + 1;
    while (j < items.length && items[j] === items[i]) j++;
    out.push(j - i > 2 ? `${j - i} × ${items[i]!}` : items.slice(i, j).join(', '));
    i = j;
  }
  return out.join(', ');
}

function sameAnswer(expected: ExpectedAnswer, got: ObservedFrame): boolean {
  if (expected.type !== (got.type === MessageType.LoginAck ? 'LOGIN_ACK' : got.name)) return false;
  if (expected.clientOrderId !== undefined && expected.clientOrderId !== got.clientOrderId) return false;
  if (expected.symbolId !== undefined && expected.symbolId !== got.symbolId) return false;
  if (expected.maxLevelsPerSide !== undefined && ((got.bids ?? 0) > expected.maxLevelsPerSide || (got.asks ?? 0) > expected.maxLevelsPerSide)) return false;
  return expected.type !== 'REJECT' || expected.reason === got.reason;
}

function happened(observed: Observation): string {
  return `got ${describeObservation(observed)}`;
}

function closing(observed: Observation): string {
  return observed.closed ? '; connection closed' : '; connection open';
}

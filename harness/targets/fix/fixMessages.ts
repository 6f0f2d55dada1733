import type { ILooseObject } from './fixRuntime.js';
import type { FixVersion } from './fixRuntime.js';

/**
 * Application message bodies for jspurefix's encoder, by field name as the QuickFIX dictionaries
 * spell them. FIX 4.4 nests Symbol in the Instrument component and OrderQty in OrderQtyData;
 * FIX 4.2 has them flat and needs HandlInst.
 */

/** FIX codes (Side 54, OrdType 40, TimeInForce 59, ExecType 150, OrdStatus 39). */
export const FIX_SIDE = { buy: '1', sell: '2' } as const;
export const FIX_ORD_TYPE = { market: '1', limit: '2' } as const;
export const FIX_TIF = { day: '0', gtc: '1', ioc: '3', fok: '4' } as const;
/** Tag numbers the driver reads from the engine's messages. */
export const FIX_TAG = {
  ClOrdID: 11, OrigClOrdID: 41, OrderID: 37, ExecType: 150, OrdStatus: 39, LastQty: 32, LastPx: 31, LeavesQty: 151, CumQty: 14, OrderQty: 38,
  Price: 44, Text: 58,
  OrdRejReason: 103, CxlRejReason: 102, RefSeqNum: 45, RefMsgType: 372, BusinessRejectRefID: 379, BusinessRejectReason: 380,
  SessionRejectReason: 373,
} as const;

export interface FixOrderFields {
  readonly clOrdId: string;
  readonly symbol: string;
  readonly side: string;
  readonly quantity: number;
  readonly ordType: string;
  /** Absent on a market order. */
  readonly price?: number;
  readonly timeInForce: string;
}

function instrument(version: FixVersion, symbol: string, quantity: number): ILooseObject {
  return version === '4.2' ? { Symbol: symbol, OrderQty: quantity } : { Instrument: { Symbol: symbol }, OrderQtyData: { OrderQty: quantity } };
}

/** NewOrderSingle (35=D). */
export function newOrderSingle(version: FixVersion, o: FixOrderFields, at: Date): ILooseObject {
  return { ClOrdID: o.clOrdId, ...(version === '4.2' ? { HandlInst: '1' } : {}), ...instrument(version, o.symbol, o.quantity), Side: o.side,
    TransactTime: at, OrdType: o.ordType, ...(o.price === undefined ? {} : { Price: o.price }), TimeInForce: o.timeInForce };
}

/** OrderCancelRequest (35=F). */
export function orderCancelRequest(version: FixVersion, c: { clOrdId: string; origClOrdId: string; symbol: string; side: string; quantity: number }, at: Date): ILooseObject {
  return { OrigClOrdID: c.origClOrdId, ClOrdID: c.clOrdId, ...instrument(version, c.symbol, c.quantity), Side: c.side, TransactTime: at };
}

/** OrderCancelReplaceRequest (35=G): a limit order's new price and quantity. */
export function orderCancelReplaceRequest(version: FixVersion, r: FixOrderFields & { origClOrdId: string }, at: Date): ILooseObject {
  return { OrigClOrdID: r.origClOrdId, ...newOrderSingle(version, r, at) };
}

/** ExecutionReport (35=8) fields an engine (the test peer) sends. */
export interface FixExecution {
  readonly orderId: string;
  readonly clOrdId: string;
  readonly origClOrdId?: string;
  readonly execId: string;
  /** 4.4 codes: '0' new, 'F' trade, '4' canceled, '5' replaced, '8' rejected, 'C' expired; a trade becomes '1'/'2' in 4.2. */
  readonly execType: string;
  readonly ordStatus: string;
  readonly symbol: string;
  readonly side: string;
  readonly leavesQty: number;
  readonly cumQty: number;
  readonly lastQty?: number;
  readonly lastPx?: number;
  readonly ordRejReason?: number;
  readonly text?: string;
}

export function executionReport(version: FixVersion, e: FixExecution): ILooseObject {
  const execType = version === '4.2' && e.execType === 'F' ? (e.leavesQty === 0 ? '2' : '1') : e.execType;
  return { OrderID: e.orderId, ClOrdID: e.clOrdId, ...(e.origClOrdId === undefined ? {} : { OrigClOrdID: e.origClOrdId }), ExecID: e.execId,
    ...(version === '4.2' ? { ExecTransType: '0' } : {}), ExecType: execType, OrdStatus: e.ordStatus,
    ...(e.ordRejReason === undefined ? {} : { OrdRejReason: e.ordRejReason }),
    ...(version === '4.2' ? { Symbol: e.symbol } : { Instrument: { Symbol: e.symbol } }), Side: e.side,
    ...(e.lastQty === undefined ? {} : version === '4.2' ? { LastShares: e.lastQty } : { LastQty: e.lastQty }),
    ...(e.lastPx === undefined ? {} : { LastPx: e.lastPx }), LeavesQty: e.leavesQty, CumQty: e.cumQty, AvgPx: e.lastPx ?? 0,
    ...(e.text === undefined ? {} : { Text: e.text }) };
}

/** What an ExecutionReport means for the request it answers: ExecType of either version, normalised. */
export type FixExecKind = 'new' | 'trade' | 'canceled' | 'replaced' | 'rejected' | 'pending' | 'other';

export function execKind(execType: string | null): FixExecKind {
  switch (execType) {
    case '0': return 'new';
    case 'F': case '1': case '2': return 'trade';
    case '4': case 'C': return 'canceled';
    case '5': return 'replaced';
    case '8': return 'rejected';
    // PendingNew, PendingCancel, PendingReplace: an answer is still to come.
    case 'A': case '6': case 'E': return 'pending';
    default: return 'other';
  }
}

// Error codes of the submit methods.
import { describe, expect, it } from 'vitest';
import {
  CLIENT, ERR_INVALID_ARGUMENT, PROTO_SPDY3, PROTOCOL_ERROR, Session, SpdylayError,
} from '../../../lib/spdylay/index.js';

describe('error codes of submit methods', () => {
  it('InvalidArgumentError carries ERR_INVALID_ARGUMENT', () => {
    const s = new Session(CLIENT, PROTO_SPDY3);
    let e: unknown;
    try { s.submitRequest(3, [['', 'v']]); } catch (x) { e = x; }
    expect((e as SpdylayError).code).toBe(ERR_INVALID_ARGUMENT);
  });
  it('submitRstStream/submitGoaway/submitPing/failSession return normally', () => {
    const s = new Session(CLIENT, PROTO_SPDY3);
    s.submitRstStream(1, PROTOCOL_ERROR);
    s.submitPing();
    s.submitGoaway();
    s.failSession();
    expect(s.getOutboundQueueSize()).toBeGreaterThanOrEqual(3);
  });
});

// The spdylay module surface: its exports and constant values.
import { describe, expect, it } from 'vitest';
import * as sp from '../../../lib/index.js';
import {
  CallbackFailureError, DataProvider, EOFError, InvalidArgumentError, PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1,
  Session, SpdylayError, StreamClosedError, TemporalCallbackFailureError, UnsupportedVersionError, ZlibError,
  getNpnProtocols, npnGetVersion,
} from '../../../lib/spdylay/index.js';

describe('module surface', () => {
  it('re-exports the spdylay API from the package root', () => {
    expect(sp.Session).toBe(Session);
    expect(sp.DataProvider).toBe(DataProvider);
    expect(typeof sp.libraryVersions).toBe('function');
  });

  it('has the reference constant values', () => {
    expect([sp.CLIENT, sp.SERVER, sp.READ_EOF]).toEqual([1, 2, 1]);
    expect([PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1]).toEqual([2, 3, 4]);
    expect([sp.ERR_INVALID_ARGUMENT, sp.ERR_ZLIB, sp.ERR_UNSUPPORTED_VERSION, sp.ERR_WOULDBLOCK,
      sp.ERR_PROTO, sp.ERR_INVALID_FRAME, sp.ERR_EOF, sp.ERR_DEFERRED, sp.ERR_STREAM_ID_NOT_AVAILABLE,
      sp.ERR_STREAM_CLOSED, sp.ERR_STREAM_CLOSING, sp.ERR_STREAM_SHUT_WR, sp.ERR_INVALID_STREAM_ID,
      sp.ERR_INVALID_STREAM_STATE, sp.ERR_DEFERRED_DATA_EXIST, sp.ERR_SYN_STREAM_NOT_ALLOWED,
      sp.ERR_GOAWAY_ALREADY_SENT, sp.ERR_INVALID_HEADER_BLOCK, sp.ERR_INVALID_STATE, sp.ERR_GZIP,
      sp.ERR_TEMPORAL_CALLBACK_FAILURE]).toEqual(Array.from({ length: 21 }, (_, i) => -501 - i));
    expect([sp.ERR_FATAL, sp.ERR_NOMEM, sp.ERR_CALLBACK_FAILURE]).toEqual([-900, -901, -902]);
    expect([sp.SYN_STREAM, sp.SYN_REPLY, sp.RST_STREAM, sp.SETTINGS, sp.NOOP, sp.PING, sp.GOAWAY,
      sp.HEADERS, sp.WINDOW_UPDATE, sp.CREDENTIAL]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect([sp.CTRL_FLAG_NONE, sp.CTRL_FLAG_FIN, sp.CTRL_FLAG_UNIDIRECTIONAL]).toEqual([0, 1, 2]);
    expect([sp.DATA_FLAG_NONE, sp.DATA_FLAG_FIN]).toEqual([0, 1]);
    expect([sp.OK, sp.PROTOCOL_ERROR, sp.INVALID_STREAM, sp.REFUSED_STREAM, sp.UNSUPPORTED_VERSION,
      sp.CANCEL, sp.INTERNAL_ERROR, sp.FLOW_CONTROL_ERROR, sp.STREAM_IN_USE, sp.STREAM_ALREADY_CLOSED,
      sp.INVALID_CREDENTIALS, sp.FRAME_TOO_LARGE]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect([sp.GOAWAY_OK, sp.GOAWAY_PROTOCOL_ERROR, sp.GOAWAY_INTERNAL_ERROR]).toEqual([0, 1, 2]);
    expect([sp.FLAG_SETTINGS_NONE, sp.FLAG_SETTINGS_CLEAR_SETTINGS]).toEqual([0, 1]);
    expect([sp.SETTINGS_UPLOAD_BANDWIDTH, sp.SETTINGS_DOWNLOAD_BANDWIDTH, sp.SETTINGS_ROUND_TRIP_TIME,
      sp.SETTINGS_MAX_CONCURRENT_STREAMS, sp.SETTINGS_CURRENT_CWND, sp.SETTINGS_DOWNLOAD_RETRANS_RATE,
      sp.SETTINGS_INITIAL_WINDOW_SIZE, sp.SETTINGS_CLIENT_CERTIFICATE_VECTOR_SIZE, sp.SETTINGS_MAX])
      .toEqual([1, 2, 3, 4, 5, 6, 7, 8, 8]);
    expect([sp.ID_FLAG_SETTINGS_NONE, sp.ID_FLAG_SETTINGS_PERSIST_VALUE, sp.ID_FLAG_SETTINGS_PERSISTED])
      .toEqual([0, 1, 2]);
  });

  it('exceptions share SpdylayError and carry the C code and message', () => {
    const cases: [new (m?: string) => SpdylayError, number][] = [
      [EOFError, -507], [CallbackFailureError, -902], [TemporalCallbackFailureError, -521],
      [InvalidArgumentError, -501], [ZlibError, -502], [UnsupportedVersionError, -503],
      [StreamClosedError, -510],
    ];
    for (const [C, code] of cases) {
      const e = new C();
      expect(e).toBeInstanceOf(SpdylayError);
      expect(e).toBeInstanceOf(Error);
      expect(e.code).toBe(code);
      expect(e.name).toBe(C.name);
      expect(e.message).toBe(sp.strerror(code));
      expect(e.message.length).toBeGreaterThan(0);
      expect(new C('custom').message).toBe('custom');
      expect(sp.errorForCode(code)).toBeInstanceOf(C);
    }
    expect(sp.errorForCode(-509).constructor).toBe(SpdylayError);
  });

  it('npn helpers', () => {
    expect(getNpnProtocols()).toEqual(['spdy/3.1', 'spdy/3', 'spdy/2']);
    expect(npnGetVersion('spdy/2')).toBe(PROTO_SPDY2);
    expect(npnGetVersion('spdy/3')).toBe(PROTO_SPDY3);
    expect(npnGetVersion('spdy/3.1')).toBe(PROTO_SPDY3_1);
    expect(npnGetVersion('http/1.1')).toBe(0);
    expect(npnGetVersion('')).toBe(0);
    expect(npnGetVersion(null)).toBe(0);
    expect(npnGetVersion(undefined)).toBe(0);
  });
});

// The native session's per-instance methods (send, recv, the submit calls,
// ...; binding/spdylay/session.cc BindHotMethods): they act on their own
// session, and one kept after its session was collected returns undefined
// instead of reaching freed memory.
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { CLIENT, PROTO_SPDY3_1, SERVER, Session } from '../../../lib/spdylay/index.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

type Native = Record<string, (...args: unknown[]) => unknown>;
const nativeOf = (s: Session): Native => (s as unknown as { _n: Native })._n;

describe('Session per-instance native methods', () => {
  it('are own functions of each native session, distinct per session, acting on their own session', () => {
    const a = new Session(CLIENT, PROTO_SPDY3_1);
    const b = new Session(CLIENT, PROTO_SPDY3_1);
    const na = nativeOf(a);
    const nb = nativeOf(b);
    for (const name of ['send', 'recv', 'submitRequest', 'submitResponse', 'wantWrite', 'consume']) {
      expect(Object.hasOwn(na, name)).toBe(true);
      expect(na[name]).not.toBe(nb[name]);
    }
    a.submitPing();
    expect(a.wantWrite()).toBe(true);
    expect(b.wantWrite()).toBe(false);
    // the prototype's method and the own one see the same session
    const proto = Object.getPrototypeOf(na) as Native;
    expect(proto.wantWrite.call(na)).toBe(true);
    expect(proto.wantWrite.call(nb)).toBe(false);
  });

  it('a method kept after its session was collected returns undefined', async () => {
    let collected = false;
    const registry = new FinalizationRegistry(() => { collected = true; });
    const kept = ((): Native => {
      const s = new Session(SERVER, PROTO_SPDY3_1);
      const n = nativeOf(s);
      registry.register(n, 0);
      return { wantWrite: n.wantWrite, send: n.send, submitResponse: n.submitResponse };
    })();
    for (let i = 0; i < 50 && !collected; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(collected).toBe(true);
    // give the wrapper's finalizer (it deletes the C session) a turn as well
    for (let i = 0; i < 5; i++) { gc(); await new Promise((r) => setTimeout(r, 10)); }
    expect(kept.wantWrite()).toBeUndefined();
    expect(kept.send(() => 0)).toBeUndefined();
    expect(kept.submitResponse(1, 'a\0b\0', 4, 1, 0, undefined)).toBeUndefined();
  });
});

// The native session's per-instance methods (send, recv, the submit calls,
// ...; binding/spdylay/session.cc BindHotMethods): they act on their own
// session, and one kept after its Session was dropped keeps the native
// session alive (it can never reach freed memory); once the method is
// dropped too, the native session is collected.
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

  it('a method kept after its Session was dropped keeps the native session alive; dropping it too lets both go', async () => {
    let collected = false;
    const registry = new FinalizationRegistry(() => { collected = true; });
    let kept: Native | null = ((): Native => {
      const s = new Session(SERVER, PROTO_SPDY3_1);
      const n = nativeOf(s);
      registry.register(n, 0);
      return { wantWrite: n.wantWrite, send: n.send };
    })();
    for (let i = 0; i < 10 && !collected; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(collected).toBe(false);
    // still its own live session: nothing to write, and send() runs
    expect(kept.wantWrite()).toBe(false);
    expect(kept.send(() => 0)).not.toBeUndefined();
    kept = null;
    for (let i = 0; i < 50 && !collected; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(collected).toBe(true);
  });
});

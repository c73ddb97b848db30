/**
 * The integer tokens that stand for JS values inside the native SPDY
 * session: a stream's user data (`spdylay_session_get_stream_user_data`)
 * and the data providers read through JS.
 *
 * @internal
 * @packageDocumentation
 */

/** A data provider registered with a session, and its stream once known. */
export interface ProviderEntry<P> {
  prd: P;
  streamId: number;
}

/** Tokens 1..0xfffffffe of one session, shared by user data and providers. */
export class StreamTokens<P> {
  /** User-data tokens -> values. */
  readonly userData = new Map<number, unknown>();
  /** Provider tokens -> providers not finished yet. */
  readonly providers = new Map<number, ProviderEntry<P>>();
  private next = 1;

  /** A token for `value` (stream user data). */
  addUserData(value: unknown): number {
    const t = this.take();
    this.userData.set(t, value);
    return t;
  }

  /** A token for `prd`, of stream `streamId` (0 until known). */
  addProvider(prd: P, streamId: number): number {
    const t = this.take();
    this.providers.set(t, { prd, streamId });
    return t;
  }

  /** Forgets the tokens of a submit that failed (0: none). */
  drop(providerToken: number, userToken: number): void {
    if (providerToken) this.providers.delete(providerToken);
    if (userToken) this.userData.delete(userToken);
  }

  /** The user data of a token, or `null` when there is none. */
  userDataOf(token: number): unknown {
    if (token === 0) return null;
    const v = this.userData.get(token);
    return v === undefined ? null : v;
  }

  /** Forgets what a closed stream held: its user data and, with `providers`, its unfinished providers. */
  closeStream(streamId: number, userToken: number, providers: boolean): void {
    if (userToken) this.userData.delete(userToken);
    if (providers) {
      for (const [t, e] of this.providers) if (e.streamId === streamId) this.providers.delete(t);
    }
  }

  private take(): number {
    let t = this.next;
    while (this.userData.has(t) || this.providers.has(t)) t = t >= 0xfffffffe ? 1 : t + 1;
    this.next = t >= 0xfffffffe ? 1 : t + 1;
    return t;
  }
}

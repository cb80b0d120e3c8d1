// Who a SASL/PLAIN client is: a static user from the config, or the holder of a token from the
// admin API. Refusal reasons are for the gateway log; the client only learns that it failed.
import type { Config } from "../config/schema.ts";
import type { StateStore } from "../store/state-store.ts";
import { constantTimeEqual } from "./constant-time.ts";
import type { TokenSigner } from "./tokens.ts";

export type PlainAuthentication =
  | {
    readonly ok: true;
    readonly vcluster: string;
    readonly username: string;
    readonly via: "static-user" | "token";
    /** For tokens: the id (to drop the session on revocation) and expiry (ms since epoch). */
    readonly tokenId?: string;
    readonly expiresAt?: number;
  }
  | { readonly ok: false; readonly reason: string };

export interface PlainAuthenticatorDeps {
  readonly store: Pick<StateStore, "getVcluster" | "isTokenRevoked">;
  readonly staticUsers: Config["auth"]["users"];
  readonly signer: TokenSigner;
  readonly clock: () => number;
}

export type PlainAuthenticator = (username: string, password: string) => Promise<PlainAuthentication>;

export function createPlainAuthenticator(deps: PlainAuthenticatorDeps): PlainAuthenticator {
  return async (username, password) => {
    const staticUser = deps.staticUsers.find((u) => u.username === username);
    if (staticUser) {
      // A static username never falls through to token checks: its password is the only way in.
      if (!constantTimeEqual(password, staticUser.password)) {
        return { ok: false, reason: `wrong password for static user "${username}"` };
      }
      if (!deps.store.getVcluster(staticUser.vcluster)) {
        return { ok: false, reason: `static user "${username}" is bound to missing vcluster "${staticUser.vcluster}"` };
      }
      return { ok: true, vcluster: staticUser.vcluster, username, via: "static-user" };
    }

    const now = deps.clock();
    const verified = await deps.signer.verify(password, { now, isRevoked: (jti) => deps.store.isTokenRevoked(jti) });
    if (!verified.ok) return { ok: false, reason: `token for "${username}" refused: ${verified.reason}` };
    const { claims } = verified;
    if (claims.sub !== username) {
      return { ok: false, reason: `token was issued to "${claims.sub}", presented by "${username}"` };
    }
    const vcluster = deps.store.getVcluster(claims.vcluster);
    if (!vcluster) return { ok: false, reason: `token for "${username}" names missing vcluster "${claims.vcluster}"` };
    // A token from before the vcluster (re)creation belongs to an earlier vcluster of that name.
    if (claims.iat < Math.floor(Date.parse(vcluster.createdAt) / 1000)) {
      return { ok: false, reason: `token for "${username}" predates vcluster "${claims.vcluster}"` };
    }
    return {
      ok: true,
      vcluster: claims.vcluster,
      username,
      via: "token",
      tokenId: claims.jti,
      expiresAt: claims.exp * 1000,
    };
  };
}

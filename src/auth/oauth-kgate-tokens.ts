// Access tokens kgate issues itself through its OAuth 2 token endpoint, for SASL/OAUTHBEARER.
// JWTs (RFC 9068 shape) signed and verified with jose, HS256 under a key derived from
// auth.tokenSecret: a key of their own, so an access token is never accepted as a SASL/PLAIN
// token nor the other way round (those have a different header and key).
import { jwtVerify, SignJWT } from "jose";
import { joseRefusalReason } from "./oauth-jose-reason.ts";
import { randomTokenId } from "./random.ts";

/** The `iss` of kgate's access tokens; an external issuer may not use it. */
export const KGATE_OAUTH_ISSUER = "kgate";
const AUDIENCE = "kgate";
const TOKEN_TYPE = "at+jwt";
/** kgate grants a whole vcluster; the scope only names that grant. */
const KGATE_OAUTH_SCOPE = "kafka";

export interface KgateAccessTokenClaims {
  readonly sub: string;
  readonly vcluster: string;
  readonly jti: string;
  /** Seconds since the epoch. */
  readonly iat: number;
  readonly exp: number;
  readonly scope: string;
}

export type KgateAccessTokenVerification =
  | { readonly ok: true; readonly claims: KgateAccessTokenClaims }
  | { readonly ok: false; readonly reason: string };

export interface KgateAccessTokens {
  issue(input: { username: string; vcluster: string; lifetimeSeconds: number; now: number }): Promise<{ token: string; claims: KgateAccessTokenClaims }>;
  verify(token: string, now: number): Promise<KgateAccessTokenVerification>;
}

const utf8 = new TextEncoder();

async function deriveKey(tokenSecret: string): Promise<Uint8Array> {
  const master = await crypto.subtle.importKey("raw", utf8.encode(tokenSecret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", master, utf8.encode("kgate oauthbearer access token key v1")));
}

export async function createKgateAccessTokens(tokenSecret: string): Promise<KgateAccessTokens> {
  const key = await deriveKey(tokenSecret);
  return {
    async issue({ username, vcluster, lifetimeSeconds, now }) {
      const iat = Math.floor(now / 1000);
      const claims: KgateAccessTokenClaims = { sub: username, vcluster, jti: randomTokenId(), iat, exp: iat + lifetimeSeconds, scope: KGATE_OAUTH_SCOPE };
      const token = await new SignJWT({ vcluster, scope: claims.scope })
        .setProtectedHeader({ alg: "HS256", typ: TOKEN_TYPE })
        .setIssuer(KGATE_OAUTH_ISSUER)
        .setAudience(AUDIENCE)
        .setSubject(username)
        .setJti(claims.jti)
        .setIssuedAt(iat)
        .setExpirationTime(claims.exp)
        .sign(key);
      return { token, claims };
    },

    async verify(token, now) {
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: ["HS256"],
          typ: TOKEN_TYPE,
          issuer: KGATE_OAUTH_ISSUER,
          audience: AUDIENCE,
          requiredClaims: ["sub", "jti", "iat", "exp"],
          currentDate: new Date(now),
          clockTolerance: 0,
        });
        const { sub, jti, iat, exp, vcluster, scope } = payload;
        if (typeof vcluster !== "string" || vcluster === "" || typeof sub !== "string" || typeof jti !== "string") {
          return { ok: false, reason: "token lacks its sub, jti or vcluster claim" };
        }
        return { ok: true, claims: { sub, vcluster, jti, iat: iat!, exp: exp!, scope: typeof scope === "string" ? scope : "" } };
      } catch (e) {
        return { ok: false, reason: joseRefusalReason(e) };
      }
    },
  };
}

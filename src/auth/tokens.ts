// Client tokens: HS256 JWTs (RFC 7519) signed with WebCrypto. Only what kgate issues itself is
// accepted: header exactly {"alg":"HS256","typ":"JWT"}, all claims present and well typed.
import { decodeBase64Url, encodeBase64Url } from "./base64url.ts";
import { randomTokenId } from "./random.ts";

export interface TokenClaims {
  /** The username the client presents with SASL/PLAIN. */
  readonly sub: string;
  readonly vcluster: string;
  /** Seconds since the epoch. */
  readonly iat: number;
  readonly exp: number;
  readonly jti: string;
}

export type TokenRefusal = "malformed" | "bad-signature" | "expired" | "revoked";

export type TokenVerification =
  | { readonly ok: true; readonly claims: TokenClaims }
  | { readonly ok: false; readonly reason: TokenRefusal };

export interface IssueTokenInput {
  readonly username: string;
  readonly vcluster: string;
  readonly lifetimeSeconds: number;
  /** Milliseconds since the epoch. */
  readonly now: number;
}

export interface VerifyOptions {
  readonly now: number;
  readonly isRevoked?: (jti: string) => boolean;
}

export interface TokenSigner {
  issue(input: IssueTokenInput): Promise<{ token: string; claims: TokenClaims }>;
  verify(token: string, options: VerifyOptions): Promise<TokenVerification>;
}

const utf8 = new TextEncoder();
const HEADER = encodeBase64Url(utf8.encode(JSON.stringify({ alg: "HS256", typ: "JWT" })));

/** Import the key once; signing and verifying then cost one HMAC each. */
export async function createTokenSigner(secret: string): Promise<TokenSigner> {
  const key = await crypto.subtle.importKey("raw", utf8.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
    "verify",
  ]);
  return {
    async issue({ username, vcluster, lifetimeSeconds, now }) {
      const iat = Math.floor(now / 1000);
      const claims: TokenClaims = { sub: username, vcluster, iat, exp: iat + lifetimeSeconds, jti: randomTokenId() };
      const signingInput = `${HEADER}.${encodeBase64Url(utf8.encode(JSON.stringify(claims)))}`;
      const signature = new Uint8Array(await crypto.subtle.sign("HMAC", key, utf8.encode(signingInput)));
      return { token: `${signingInput}.${encodeBase64Url(signature)}`, claims };
    },

    async verify(token, { now, isRevoked }) {
      const parts = token.split(".");
      if (parts.length !== 3 || parts[0] !== HEADER) return { ok: false, reason: "malformed" };
      const signature = decodeBase64Url(parts[2]!);
      if (!signature) return { ok: false, reason: "malformed" };
      // subtle.verify compares in constant time, so no timing oracle on the signature.
      const valid = await crypto.subtle.verify("HMAC", key, signature, utf8.encode(`${parts[0]}.${parts[1]}`));
      if (!valid) return { ok: false, reason: "bad-signature" };
      const claims = parseClaims(parts[1]!);
      if (!claims) return { ok: false, reason: "malformed" };
      if (claims.exp * 1000 <= now) return { ok: false, reason: "expired" };
      if (isRevoked?.(claims.jti)) return { ok: false, reason: "revoked" };
      return { ok: true, claims };
    },
  };
}

function parseClaims(segment: string): TokenClaims | undefined {
  const bytes = decodeBase64Url(segment);
  if (!bytes) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return undefined;
  }
  if (json === null || typeof json !== "object") return undefined;
  const c = json as Record<string, unknown>;
  const isText = (v: unknown) => typeof v === "string" && v.length > 0;
  if (!isText(c.sub) || !isText(c.vcluster) || !isText(c.jti)) return undefined;
  if (!Number.isSafeInteger(c.iat) || !Number.isSafeInteger(c.exp)) return undefined;
  return { sub: c.sub, vcluster: c.vcluster, iat: c.iat, exp: c.exp, jti: c.jti } as TokenClaims;
}

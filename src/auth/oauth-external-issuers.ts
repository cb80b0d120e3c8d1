// Tokens of external OAuth issuers (an identity provider), verified with jose against the
// issuer's JWKS: a file re-read when it is older than refreshSeconds (or when a token names a
// key it lacks), or a URL that jose fetches and caches. Only asymmetric signatures: an issuer's
// public keys can verify but never mint, and `alg: none` or HS* can never pass.
import { createLocalJWKSet, createRemoteJWKSet, decodeJwt, type JSONWebKeySet, type JWTPayload, jwtVerify, type JWTVerifyGetKey } from "jose";
import type { Config } from "../config/schema.ts";
import { joseRefusalReason } from "./oauth-jose-reason.ts";

export type ExternalIssuerConfig = Config["auth"]["oauth"]["issuers"][number];

const ASYMMETRIC_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519"];
/** A token naming an unknown key re-reads a JWKS file at most this often (key rotation, not a loop). */
const FILE_RELOAD_COOLDOWN_MS = 10_000;
const MAX_CLAIM_LENGTH = 255;

export type ExternalVerification =
  | { readonly ok: true; readonly issuer: string; readonly username: string; readonly vcluster: string; readonly expiresAt: number; readonly tokenId?: string }
  | { readonly ok: false; readonly reason: string };

interface KeySource {
  keys(now: number, forceReload: boolean): Promise<JWTVerifyGetKey>;
}

class JwksFile implements KeySource {
  private current: JWTVerifyGetKey | null = null;
  private loadedAt = 0;

  constructor(
    private readonly path: string,
    private readonly refreshMs: number,
    private readonly readTextFile: (path: string) => Promise<string>,
    private readonly log: (line: string) => void,
  ) {}

  async load(now: number): Promise<void> {
    const text = await this.readTextFile(this.path);
    let jwks: JSONWebKeySet;
    try {
      jwks = JSON.parse(text) as JSONWebKeySet;
    } catch (e) {
      throw new Error(`JWKS file ${this.path} is not JSON: ${(e as Error).message}`);
    }
    this.current = createLocalJWKSet(jwks);
    this.loadedAt = now;
  }

  async keys(now: number, forceReload: boolean): Promise<JWTVerifyGetKey> {
    const stale = now - this.loadedAt >= this.refreshMs;
    const retry = forceReload && now - this.loadedAt >= FILE_RELOAD_COOLDOWN_MS;
    // A file that cannot be re-read keeps the keys last read (the issuer's keys do not vanish with a typo).
    if (stale || retry || !this.current) {
      await this.load(now).catch((e) => {
        if (!this.current) throw e;
        this.loadedAt = now;
        this.log(`JWKS file ${this.path} not re-read, its last keys stay: ${(e as Error).message}`);
      });
    }
    return this.current!;
  }
}

class JwksUrl implements KeySource {
  private readonly remote: JWTVerifyGetKey;
  constructor(url: string, refreshMs: number) {
    this.remote = createRemoteJWKSet(new URL(url), { cacheMaxAge: refreshMs, cooldownDuration: 30_000, timeoutDuration: 5_000 });
  }
  async keys(): Promise<JWTVerifyGetKey> {
    return this.remote; // jose refetches on an unknown kid itself (after its cooldown)
  }
}

interface Issuer {
  readonly config: ExternalIssuerConfig;
  readonly source: KeySource;
}

export class ExternalIssuers {
  private constructor(private readonly issuers: readonly Issuer[]) {}

  /** Reads every JWKS file once, so a missing or broken file fails the start. */
  static async load(
    configs: readonly ExternalIssuerConfig[],
    readTextFile: (path: string) => Promise<string>,
    now: number,
    log: (line: string) => void = () => {},
  ): Promise<ExternalIssuers> {
    const issuers: Issuer[] = [];
    for (const [i, config] of configs.entries()) {
      const refreshMs = config.refreshSeconds * 1000;
      if (config.jwks.file !== undefined) {
        const file = new JwksFile(config.jwks.file, refreshMs, readTextFile, log);
        await file.load(now).catch((e) => {
          throw new Error(`auth.oauth.issuers.${i}.jwks.file: ${(e as Error).message}`);
        });
        issuers.push({ config, source: file });
      } else {
        issuers.push({ config, source: new JwksUrl(config.jwks.url!, refreshMs) });
      }
    }
    return new ExternalIssuers(issuers);
  }

  get size(): number {
    return this.issuers.length;
  }

  async verify(token: string, now: number): Promise<ExternalVerification> {
    let unverified: JWTPayload;
    try {
      unverified = decodeJwt(token);
    } catch {
      return { ok: false, reason: "token is not a JWT" };
    }
    // Only picks which keys to try; every claim is checked again after the signature.
    const issuer = this.issuers.find((i) => i.config.issuer === unverified.iss);
    if (!issuer) return { ok: false, reason: `token issuer ${JSON.stringify(String(unverified.iss ?? "")).slice(0, 100)} is not configured` };
    const { config } = issuer;
    let payload: JWTPayload;
    try {
      payload = await this.verifyWith(issuer, token, now, false).catch(async (e) => {
        if ((e as { code?: string }).code !== "ERR_JWKS_NO_MATCHING_KEY") throw e;
        return this.verifyWith(issuer, token, now, true);
      });
    } catch (e) {
      return { ok: false, reason: `${joseRefusalReason(e)} (issuer ${config.issuer})` };
    }
    const username = claimText(payload, config.usernameClaim);
    if (username === undefined) return { ok: false, reason: `token of ${config.issuer} lacks a usable "${config.usernameClaim}" claim` };
    const vcluster = config.vcluster ?? claimText(payload, config.vclusterClaim!);
    if (vcluster === undefined) return { ok: false, reason: `token of ${config.issuer} lacks a usable "${config.vclusterClaim}" claim` };
    return {
      ok: true,
      issuer: config.issuer,
      username,
      vcluster,
      expiresAt: payload.exp! * 1000,
      tokenId: typeof payload.jti === "string" ? payload.jti : undefined,
    };
  }

  private async verifyWith(issuer: Issuer, token: string, now: number, forceReload: boolean): Promise<JWTPayload> {
    const keys = await issuer.source.keys(now, forceReload);
    const { payload } = await jwtVerify(token, keys, {
      algorithms: ASYMMETRIC_ALGORITHMS,
      issuer: issuer.config.issuer,
      audience: issuer.config.audience,
      requiredClaims: ["exp"],
      currentDate: new Date(now),
    });
    return payload;
  }
}

/** A claim usable as a name: printable, short, no control characters (it goes into logs). */
function claimText(payload: JWTPayload, claim: string): string | undefined {
  const value = payload[claim];
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_CLAIM_LENGTH) return undefined;
  return /^[\x21-\x7E]+$/.test(value) ? value : undefined;
}

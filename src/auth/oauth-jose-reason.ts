// One-line log reasons for jose's refusals: which check failed, never the token.
import { errors } from "jose";

export function joseRefusalReason(e: unknown): string {
  if (e instanceof errors.JWTExpired) return "token expired";
  if (e instanceof errors.JWSSignatureVerificationFailed) return "bad signature";
  if (e instanceof errors.JOSEAlgNotAllowed) return "signature algorithm not allowed";
  if (e instanceof errors.JWTClaimValidationFailed) return `claim check failed: ${e.message}`;
  if (e instanceof errors.JWKSNoMatchingKey) return "no key of the issuer's JWKS matches the token";
  if (e instanceof errors.JOSEError) return `${e.code}: ${e.message}`;
  return `token not verified: ${(e as Error).message}`;
}

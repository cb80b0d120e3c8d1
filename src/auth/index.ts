export { constantTimeEqual } from "./constant-time.ts";
export {
  createPlainAuthenticator,
  type PlainAuthentication,
  type PlainAuthenticator,
  type PlainAuthenticatorDeps,
} from "./plain-authenticator.ts";
export { randomSecret, randomTokenId } from "./random.ts";
export { type ResolvedSecrets, resolveSecrets } from "./secrets.ts";
export {
  createTokenSigner,
  type IssueTokenInput,
  type TokenClaims,
  type TokenRefusal,
  type TokenSigner,
  type TokenVerification,
} from "./tokens.ts";

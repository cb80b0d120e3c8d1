// SASL/OAUTHBEARER messages (RFC 7628 as Kafka uses it, KIP-255): the client's initial response
// `n,[a=authzid],\x01auth=Bearer <token>\x01[key=value\x01]*\x01`, and the JSON error the server
// sends as a challenge when it refuses the token (the client then answers `\x01`).

const SEPARATOR = "\x01";
const strictDecoder = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();

export interface OAuthBearerInitialResponse {
  /** Authorization identity; empty when the client sent none (Kafka clients send none). */
  readonly authzid: string;
  readonly token: string;
  /** SASL extensions (KIP-342); kgate reads none of them, but they are well-formed. */
  readonly extensions: ReadonlyMap<string, string>;
}

/** A client message that is not a KIP-255 initial response; never contains the token. */
export class InvalidOAuthBearerMessageError extends Error {
  override name = "InvalidOAuthBearerMessageError";
}

// Kafka's own patterns (OAuthBearerClientInitialResponse): a saslname, extension keys of letters,
// values of printable ASCII and whitespace, and a token of base64url characters and dots.
// deno-lint-ignore no-control-regex -- RFC 7628's GS2 header grammar is defined over these bytes
const GS2_HEADER = /^n,(?:a=((?:[\x02-\x2B\x2D-\x3C\x3E-\x7F]|=2C|=3D)+))?,$/;
const AUTH_VALUE = /^Bearer +([-_.a-zA-Z0-9]+)$/i;
const EXTENSION_KEY = /^[A-Za-z]+$/;
const EXTENSION_VALUE = /^[\x21-\x7E \t\r\n]+$/;

export function parseOAuthBearerMessage(bytes: Uint8Array): OAuthBearerInitialResponse {
  let text: string;
  try {
    text = strictDecoder.decode(bytes);
  } catch {
    throw new InvalidOAuthBearerMessageError("OAUTHBEARER message is not valid UTF-8");
  }
  const headerEnd = text.indexOf(SEPARATOR);
  if (headerEnd < 0 || !text.endsWith(SEPARATOR + SEPARATOR)) {
    throw new InvalidOAuthBearerMessageError("OAUTHBEARER message must be gs2 header, \\x01-separated key=value pairs, \\x01\\x01");
  }
  const header = GS2_HEADER.exec(text.slice(0, headerEnd));
  if (!header) throw new InvalidOAuthBearerMessageError("OAUTHBEARER message must start with gs2 header n,, (no channel binding)");
  const authzid = (header[1] ?? "").replaceAll("=2C", ",").replaceAll("=3D", "=");
  const pairs = text.slice(headerEnd + 1, -2).split(SEPARATOR);
  let token: string | undefined;
  const extensions = new Map<string, string>();
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new InvalidOAuthBearerMessageError("OAUTHBEARER message has a malformed key=value pair");
    const key = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    if (key === "auth") {
      if (token !== undefined) throw new InvalidOAuthBearerMessageError("OAUTHBEARER message has more than one auth=");
      const bearer = AUTH_VALUE.exec(value);
      if (!bearer) throw new InvalidOAuthBearerMessageError('OAUTHBEARER auth= must be "Bearer <token>"');
      token = bearer[1]!;
    } else {
      if (!EXTENSION_KEY.test(key) || !EXTENSION_VALUE.test(value) || extensions.has(key)) {
        throw new InvalidOAuthBearerMessageError("OAUTHBEARER message has a malformed extension");
      }
      extensions.set(key, value);
    }
  }
  if (token === undefined) throw new InvalidOAuthBearerMessageError("OAUTHBEARER message lacks auth=Bearer <token>");
  return { authzid, token, extensions };
}

/** The client message for a token, as Kafka clients build it (tests and tools). */
export function oauthBearerClientMessage(token: string, extensions: Record<string, string> = {}): Uint8Array<ArrayBuffer> {
  const ext = Object.entries(extensions).map(([k, v]) => `${k}=${v}${SEPARATOR}`).join("");
  return encoder.encode(`n,,${SEPARATOR}auth=Bearer ${token}${SEPARATOR}${ext}${SEPARATOR}`);
}

/** What a client sends after the server's error challenge: a lone \x01 (RFC 7628 §3.2.3). */
export function isOAuthBearerErrorAck(bytes: Uint8Array): boolean {
  return bytes.byteLength === 1 && bytes[0] === 0x01;
}

/** The server's error challenge (RFC 7628 §3.2.2), the same JSON Kafka sends: no detail for the client. */
export function oauthBearerErrorChallenge(): Uint8Array<ArrayBuffer> {
  return encoder.encode(JSON.stringify({ status: "invalid_token" }));
}

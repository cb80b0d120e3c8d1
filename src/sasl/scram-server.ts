// Server side of SCRAM-SHA-256 / SCRAM-SHA-512 for clients logging in to kgate, as Kafka's
// ScramSaslServer does it: no channel binding, the authorization id empty or equal to the user,
// stored credentials only (salt, StoredKey, ServerKey, iterations; never the password).
import {
  constantTimeEqual,
  decoder,
  encoder,
  fromBase64,
  GS2_HEADER,
  HASHES,
  hmac,
  parseAttributes,
  pbkdf2,
  required,
  ScramError,
  type ScramMechanism,
  toBase64,
} from "./scram-primitives.ts";

/** What the store keeps for one mechanism of one account. Base64 throughout. */
export interface ScramCredential {
  readonly salt: string;
  readonly storedKey: string;
  readonly serverKey: string;
  readonly iterations: number;
}

/** Derives the stored form of `password` (the password itself is not kept). */
export async function scramCredential(mechanism: ScramMechanism, password: string, iterations: number): Promise<ScramCredential> {
  const { hash, bits } = HASHES[mechanism];
  const salt = crypto.getRandomValues(new Uint8Array(32));
  const salted = await pbkdf2(hash, bits, encoder.encode(password), salt, iterations);
  const clientKey = await hmac(hash, salted, "Client Key");
  const storedKey = new Uint8Array(await crypto.subtle.digest(hash, clientKey));
  const serverKey = await hmac(hash, salted, "Server Key");
  return { salt: toBase64(salt), storedKey: toBase64(storedKey), serverKey: toBase64(serverKey), iterations };
}

/** Letters and digits: printable and free of ',' as RFC 5802 asks. */
function serverNonce(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(24)), (b) => (b % 36).toString(36)).join("");
}

/** RFC 5802 saslname: `=2C` and `=3D` stand for ',' and '='. */
function unescapeSaslName(name: string): string {
  if (/=(?!2C|3D)/.test(name)) throw new ScramError("malformed user name in client-first-message");
  return name.replaceAll("=2C", ",").replaceAll("=3D", "=");
}

type State =
  | { step: "initial" }
  | { step: "sentFirst"; username: string; credential: ScramCredential; nonce: string; authPrefix: string }
  | { step: "done"; username: string };

/** One login: `first(clientFirst)` → `final(clientFinal)`; errors are ScramErrors (log them, answer "failed"). */
export class ScramServer {
  private state: State = { step: "initial" };

  constructor(
    readonly mechanism: ScramMechanism,
    /** The stored credential of a login name for this mechanism, if any. */
    private readonly credentialOf: (username: string) => ScramCredential | undefined,
  ) {}

  get username(): string | null {
    return this.state.step === "done" ? this.state.username : null;
  }

  /** client-first-message → server-first-message (nonce, salt, iterations). */
  first(clientFirst: Uint8Array): Uint8Array {
    if (this.state.step !== "initial") throw new ScramError("SCRAM client-first-message out of order");
    const text = decoder.decode(clientFirst);
    // gs2-header: "n,," or "n,a=<authzid>,"; "y"/"p" (channel binding) is not offered.
    const m = /^n,(?:a=([^,]*))?,(.*)$/s.exec(text);
    if (!m) throw new ScramError("client-first-message must start with gs2 header n,, (no channel binding)");
    const bare = m[2]!;
    const attrs = parseAttributes(bare);
    if (attrs.has("m")) throw new ScramError("SCRAM extensions (m=) are not supported");
    const username = unescapeSaslName(required(attrs, "n"));
    const authzid = m[1] === undefined ? "" : unescapeSaslName(m[1]);
    if (authzid !== "" && authzid !== username) throw new ScramError("authorization id must equal the user name");
    const clientNonce = required(attrs, "r");
    const credential = this.credentialOf(username);
    if (!credential) throw new ScramError(`no ${this.mechanism} credential for "${username}"`);
    const nonce = clientNonce + serverNonce();
    const serverFirst = `r=${nonce},s=${credential.salt},i=${credential.iterations}`;
    this.state = { step: "sentFirst", username, credential, nonce, authPrefix: `${bare},${serverFirst}` };
    return encoder.encode(serverFirst);
  }

  /** client-final-message → server-final-message (the server's proof), once the client's proof checks out. */
  async final(clientFinal: Uint8Array): Promise<Uint8Array> {
    const state = this.state;
    if (state.step !== "sentFirst") throw new ScramError("SCRAM client-final-message out of order");
    const text = decoder.decode(clientFinal);
    const proofAt = text.lastIndexOf(",p=");
    if (proofAt < 0) throw new ScramError("client-final-message lacks its proof");
    const withoutProof = text.slice(0, proofAt);
    const attrs = parseAttributes(withoutProof);
    if (required(attrs, "c") !== btoa(GS2_HEADER) && required(attrs, "c") !== btoa(`n,a=${state.username},`)) {
      throw new ScramError("channel binding data does not match the gs2 header");
    }
    // Kafka's ScramSaslServer checks endsWith, not equality: librdkafka sends its own nonce in
    // front of the combined one ("r=" + client nonce + server's r). The server's nonce still ends it.
    if (!required(attrs, "r").endsWith(state.nonce)) throw new ScramError("nonce does not match");
    const proof = fromBase64(text.slice(proofAt + 3));
    const { hash } = HASHES[this.mechanism];
    const authMessage = `${state.authPrefix},${withoutProof}`;
    const storedKey = fromBase64(state.credential.storedKey);
    const clientSignature = await hmac(hash, storedKey, authMessage);
    if (proof.byteLength !== clientSignature.byteLength) throw new ScramError("invalid proof");
    const clientKey = proof.map((b, i) => b ^ clientSignature[i]!);
    const computed = new Uint8Array(await crypto.subtle.digest(hash, clientKey));
    if (!constantTimeEqual(computed, storedKey)) throw new ScramError(`wrong password for "${state.username}"`);
    const serverSignature = await hmac(hash, fromBase64(state.credential.serverKey), authMessage);
    this.state = { step: "done", username: state.username };
    return encoder.encode(`v=${toBase64(serverSignature)}`);
  }
}

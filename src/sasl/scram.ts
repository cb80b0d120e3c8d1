// Client side of SCRAM-SHA-256 / SCRAM-SHA-512 (RFC 5802, RFC 7677) for kgate's own login to
// the backing cluster. Pure: WebCrypto only, no I/O, same code on Bun and Deno.
//
// Like Kafka's own client: no channel binding (gs2 header "n,,"), no SASLprep (Kafka
// normalises names and passwords to plain UTF-8), and at least 4096 iterations demanded from
// the server so a man in the middle cannot downgrade the key derivation.

import {
  constantTimeEqual,
  decoder,
  encoder,
  escapeSaslName,
  fromBase64,
  GS2_HEADER,
  HASHES,
  hmac,
  parseAttributes,
  pbkdf2,
  randomNonce,
  required,
  ScramError,
  type ScramMechanism,
  toBase64,
} from "./scram-primitives.ts";

export { ScramError, type ScramMechanism } from "./scram-primitives.ts";

const MIN_ITERATIONS = 4096;

export interface ScramClientOptions {
  /** Client nonce; only tests set it (RFC test vectors). Printable ASCII without ','. */
  nonce?: string;
  /** Computes Hi(password, salt, i) (PBKDF2); a caller may remember results (client/salted-password-cache.ts). */
  saltPassword?: typeof pbkdf2;
}

type ScramState =
  | { step: "initial" }
  | { step: "sentFirst"; clientFirstBare: string }
  | { step: "sentFinal"; expectedServerSignature: Uint8Array<ArrayBuffer> }
  | { step: "done" };

/** One login: clientFirst() → clientFinal(serverFirst) → verifyServerFinal(serverFinal). */
export class ScramClient {
  readonly mechanism: ScramMechanism;
  private readonly username: string;
  private readonly password: string;
  private readonly nonce: string;
  private readonly saltPassword: typeof pbkdf2;
  private state: ScramState = { step: "initial" };

  constructor(mechanism: ScramMechanism, username: string, password: string, options: ScramClientOptions = {}) {
    this.mechanism = mechanism;
    this.username = username;
    this.password = password;
    if (!(mechanism in HASHES)) throw new ScramError(`unknown SCRAM mechanism ${mechanism}`);
    this.nonce = options.nonce ?? randomNonce();
    this.saltPassword = options.saltPassword ?? pbkdf2;
    if (!/^[\x21-\x2b\x2d-\x7e]+$/.test(this.nonce)) throw new ScramError("SCRAM nonce must be printable ASCII without ','");
  }

  /** client-first-message: `n,,n=<user>,r=<client nonce>`. */
  async clientFirst(): Promise<Uint8Array<ArrayBuffer>> {
    this.expectStep("initial");
    const clientFirstBare = `n=${escapeSaslName(this.username)},r=${this.nonce}`;
    this.state = { step: "sentFirst", clientFirstBare };
    return encoder.encode(GS2_HEADER + clientFirstBare);
  }

  /** Checks server-first-message and answers with client-final-message (carrying the proof). */
  async clientFinal(serverFirst: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
    const state = this.expectStep("sentFirst");
    const serverFirstText = decoder.decode(serverFirst);
    const attrs = parseAttributes(serverFirstText);
    if (attrs.has("e")) throw new ScramError(`SCRAM server error: ${attrs.get("e")}`);
    if (attrs.has("m")) throw new ScramError("SCRAM server requires an unsupported extension (m=)");
    const combinedNonce = required(attrs, "r");
    if (!combinedNonce.startsWith(this.nonce) || combinedNonce.length === this.nonce.length) {
      throw new ScramError("SCRAM server nonce does not extend the client nonce");
    }
    const salt = fromBase64(required(attrs, "s"));
    const iterationsText = required(attrs, "i");
    const iterations = Number(iterationsText);
    if (!/^[0-9]+$/.test(iterationsText) || !Number.isSafeInteger(iterations) || iterations < MIN_ITERATIONS) {
      throw new ScramError(`SCRAM iteration count ${iterationsText} is below ${MIN_ITERATIONS} or invalid`);
    }

    const { hash, bits } = HASHES[this.mechanism];
    const saltedPassword = await this.saltPassword(hash, bits, encoder.encode(this.password), salt, iterations);
    const clientKey = await hmac(hash, saltedPassword, "Client Key");
    const storedKey = new Uint8Array(await crypto.subtle.digest(hash, clientKey));
    const withoutProof = `c=${btoa(GS2_HEADER)},r=${combinedNonce}`;
    const authMessage = `${state.clientFirstBare},${serverFirstText},${withoutProof}`;
    const clientSignature = await hmac(hash, storedKey, authMessage);
    const clientProof = clientKey.map((byte, i) => byte ^ clientSignature[i]!);
    const serverKey = await hmac(hash, saltedPassword, "Server Key");
    const expectedServerSignature = await hmac(hash, serverKey, authMessage);

    this.state = { step: "sentFinal", expectedServerSignature };
    return encoder.encode(`${withoutProof},p=${toBase64(clientProof)}`);
  }

  /** Checks server-final-message: the server proved it knows the password too. */
  async verifyServerFinal(serverFinal: Uint8Array): Promise<void> {
    const state = this.expectStep("sentFinal");
    this.state = { step: "done" };
    const attrs = parseAttributes(decoder.decode(serverFinal));
    if (attrs.has("e")) throw new ScramError(`SCRAM server error: ${attrs.get("e")}`);
    const signature = fromBase64(required(attrs, "v"));
    if (!constantTimeEqual(signature, state.expectedServerSignature)) {
      throw new ScramError("SCRAM server signature does not match: the server does not know the password");
    }
  }

  private expectStep<S extends ScramState["step"]>(step: S): Extract<ScramState, { step: S }> {
    if (this.state.step !== step) throw new ScramError(`SCRAM step out of order: expected ${step}, at ${this.state.step}`);
    return this.state as Extract<ScramState, { step: S }>;
  }
}

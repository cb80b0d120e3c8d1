// SASL/PLAIN (RFC 4616) messages: `authzid \0 authcid \0 passwd`, UTF-8.
// The client side logs kgate in to the backing cluster; the parser serves the client listener.

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder("utf-8", { fatal: true });

export interface PlainCredentials {
  /** Authorization identity; empty when the client sent none (the usual case). */
  authzid: string;
  username: string;
  password: string;
}

/** A PLAIN message that cannot be parsed; the message never contains the password. */
export class InvalidPlainMessageError extends Error {
  override name = "InvalidPlainMessageError";
}

export function plainClientMessage(username: string, password: string, authzid = ""): Uint8Array<ArrayBuffer> {
  if (username.includes("\0") || password.includes("\0") || authzid.includes("\0")) {
    throw new InvalidPlainMessageError("PLAIN username, password and authzid cannot contain NUL");
  }
  return encoder.encode(`${authzid}\0${username}\0${password}`);
}

/**
 * Parses what a client sent in SaslAuthenticate for PLAIN. Whether a non-empty authzid is
 * allowed (Kafka only accepts one equal to the username) is the listener's decision.
 * No 255-byte limit on the password: kgate's tokens are JWTs, longer than that.
 */
export function parsePlainMessage(bytes: Uint8Array): PlainCredentials {
  const first = bytes.indexOf(0);
  const second = first < 0 ? -1 : bytes.indexOf(0, first + 1);
  if (first < 0 || second < 0 || bytes.indexOf(0, second + 1) >= 0) {
    throw new InvalidPlainMessageError("PLAIN message must be authzid NUL username NUL password");
  }
  let fields: string[];
  try {
    fields = [bytes.subarray(0, first), bytes.subarray(first + 1, second), bytes.subarray(second + 1)].map((part) => strictDecoder.decode(part));
  } catch {
    throw new InvalidPlainMessageError("PLAIN message is not valid UTF-8");
  }
  const [authzid, username, password] = fields as [string, string, string];
  if (username === "") throw new InvalidPlainMessageError("PLAIN username is empty");
  if (password === "") throw new InvalidPlainMessageError("PLAIN password is empty");
  return { authzid, username, password };
}

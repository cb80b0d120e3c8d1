import { describe, expect, test } from "bun:test";
import { ScramClient, ScramError, type ScramMechanism } from "../../src/sasl/scram.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const bytes = (s: string) => new TextEncoder().encode(s);

describe("SCRAM-SHA-256, RFC 7677 section 3 test vector", () => {
  const clientNonce = "rOprNGfwEbeRWgbNEkqO";
  const serverFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
  const clientFinal = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
  const serverFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

  test("produces the exact client messages and accepts the server signature", async () => {
    const client = new ScramClient("SCRAM-SHA-256", "user", "pencil", { nonce: clientNonce });
    expect(text(await client.clientFirst())).toBe(`n,,n=user,r=${clientNonce}`);
    expect(text(await client.clientFinal(bytes(serverFirst)))).toBe(clientFinal);
    await client.verifyServerFinal(bytes(serverFinal));
  });

  test("rejects a server signature that does not match", async () => {
    const client = new ScramClient("SCRAM-SHA-256", "user", "pencil", { nonce: clientNonce });
    await client.clientFirst();
    await client.clientFinal(bytes(serverFirst));
    const forged = "v=" + btoa("x".repeat(32));
    await expect(client.verifyServerFinal(bytes(forged))).rejects.toThrow(ScramError);
  });

  test("surfaces a server error e=...", async () => {
    const client = new ScramClient("SCRAM-SHA-256", "user", "pencil", { nonce: clientNonce });
    await client.clientFirst();
    await client.clientFinal(bytes(serverFirst));
    await expect(client.verifyServerFinal(bytes("e=invalid-proof"))).rejects.toThrow("invalid-proof");
  });
});

/** The server's half of SCRAM, written from RFC 5802 independently of the client module. */
async function scramServer(mechanism: ScramMechanism, password: string, iterations: number) {
  const hash = mechanism === "SCRAM-SHA-256" ? "SHA-256" : "SHA-512";
  const bits = mechanism === "SCRAM-SHA-256" ? 256 : 512;
  const b64 = (b: Uint8Array) => btoa(String.fromCharCode(...b));
  const unb64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  const hmac = async (key: Uint8Array<ArrayBuffer>, message: string) =>
    new Uint8Array(
      await crypto.subtle.sign(
        "HMAC",
        await crypto.subtle.importKey("raw", key, { name: "HMAC", hash }, false, ["sign"]),
        bytes(message),
      ),
    );
  // What a broker stores for the user: salt, iterations, StoredKey, ServerKey.
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const passwordKey = await crypto.subtle.importKey("raw", bytes(password), "PBKDF2", false, ["deriveBits"]);
  const salted = new Uint8Array(await crypto.subtle.deriveBits({ name: "PBKDF2", hash, salt, iterations }, passwordKey, bits));
  const storedKey = new Uint8Array(await crypto.subtle.digest(hash, await hmac(salted, "Client Key")));
  const serverKey = await hmac(salted, "Server Key");

  let clientFirstBare = "";
  let serverFirst = "";
  return {
    first(clientFirst: Uint8Array): Uint8Array {
      const message = text(clientFirst);
      expect(message.startsWith("n,,")).toBe(true);
      clientFirstBare = message.slice(3);
      const clientNonce = /,r=([^,]+)/.exec(clientFirstBare)![1]!;
      serverFirst = `r=${clientNonce}server-part,s=${b64(salt)},i=${iterations}`;
      return bytes(serverFirst);
    },
    async final(clientFinal: Uint8Array): Promise<Uint8Array> {
      const message = text(clientFinal);
      const withoutProof = message.slice(0, message.lastIndexOf(",p="));
      const proof = unb64(message.slice(message.lastIndexOf(",p=") + 3));
      const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`;
      const clientSignature = await hmac(storedKey, authMessage);
      const clientKey = proof.map((b, i) => b ^ clientSignature[i]!);
      const candidate = new Uint8Array(await crypto.subtle.digest(hash, clientKey));
      if (b64(candidate) !== b64(storedKey)) return bytes("e=invalid-proof");
      return bytes(`v=${b64(await hmac(serverKey, authMessage))}`);
    },
  };
}

describe("SCRAM-SHA-512 against a server computed in the test", () => {
  test("full exchange succeeds with the right password", async () => {
    const server = await scramServer("SCRAM-SHA-512", "s3cret ünïcode", 4096);
    const client = new ScramClient("SCRAM-SHA-512", "gateway", "s3cret ünïcode");
    const serverFirst = server.first(await client.clientFirst());
    const serverFinal = await server.final(await client.clientFinal(serverFirst));
    expect(text(serverFinal).startsWith("v=")).toBe(true);
    await client.verifyServerFinal(serverFinal);
  });

  test("the server rejects a wrong password and the client reports it", async () => {
    const server = await scramServer("SCRAM-SHA-512", "right", 4096);
    const client = new ScramClient("SCRAM-SHA-512", "gateway", "wrong");
    const serverFirst = server.first(await client.clientFirst());
    const serverFinal = await server.final(await client.clientFinal(serverFirst));
    await expect(client.verifyServerFinal(serverFinal)).rejects.toThrow("SCRAM server error: invalid-proof");
  });
});

describe("SCRAM client refuses bad server-first messages and misuse", () => {
  const start = async () => {
    const client = new ScramClient("SCRAM-SHA-256", "user", "pencil", { nonce: "abc" });
    await client.clientFirst();
    return client;
  };

  test("a nonce that does not extend ours", async () => {
    const client = await start();
    await expect(client.clientFinal(bytes("r=xyzdef,s=QUJD,i=4096"))).rejects.toThrow("nonce");
  });

  test("a nonce equal to ours (no server part)", async () => {
    const client = await start();
    await expect(client.clientFinal(bytes("r=abc,s=QUJD,i=4096"))).rejects.toThrow("nonce");
  });

  test("an iteration count below 4096 (downgrade)", async () => {
    const client = await start();
    await expect(client.clientFinal(bytes("r=abcdef,s=QUJD,i=1"))).rejects.toThrow("iteration");
  });

  test("a missing salt", async () => {
    const client = await start();
    await expect(client.clientFinal(bytes("r=abcdef,i=4096"))).rejects.toThrow("s=");
  });

  test("a mandatory extension", async () => {
    const client = await start();
    await expect(client.clientFinal(bytes("m=ext,r=abcdef,s=QUJD,i=4096"))).rejects.toThrow("extension");
  });

  test("steps out of order", async () => {
    const client = new ScramClient("SCRAM-SHA-256", "user", "pencil");
    await expect(client.clientFinal(bytes("r=x,s=QUJD,i=4096"))).rejects.toThrow("out of order");
    await client.clientFirst();
    await expect(client.clientFirst()).rejects.toThrow("out of order");
  });

  test("usernames with ',' and '=' are escaped", async () => {
    const client = new ScramClient("SCRAM-SHA-256", "a=b,c", "pencil", { nonce: "n0nce" });
    expect(text(await client.clientFirst())).toBe("n,,n=a=3Db=2Cc,r=n0nce");
  });

  test("random nonces differ and contain no ','", async () => {
    const first = text(await new ScramClient("SCRAM-SHA-256", "u", "p").clientFirst());
    const second = text(await new ScramClient("SCRAM-SHA-256", "u", "p").clientFirst());
    expect(first).not.toBe(second);
    expect(first.split(",").length).toBe(4);
  });
});

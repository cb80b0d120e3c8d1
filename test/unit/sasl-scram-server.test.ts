// kgate's SCRAM server against its own SCRAM client (which the RFC vectors check): a right
// password logs in and the server proves itself, a wrong one, a replayed nonce, channel binding
// or an unknown user do not.
import { describe, expect, test } from "bun:test";
import { ScramClient } from "../../src/sasl/scram.ts";
import { scramCredential, ScramServer } from "../../src/sasl/scram-server.ts";

const encoder = new TextEncoder();

for (const mechanism of ["SCRAM-SHA-256", "SCRAM-SHA-512"] as const) {
  describe(`SCRAM server (${mechanism})`, async () => {
    const credential = await scramCredential(mechanism, "correct horse battery", 4096);
    const server = () => new ScramServer(mechanism, (u) => (u === "alice" ? credential : undefined));

    test("the stored credential holds no password", () => {
      expect(JSON.stringify(credential)).not.toContain("correct horse");
      expect(credential.iterations).toBe(4096);
    });

    test("the right password logs in and the client verifies the server", async () => {
      const s = server();
      const c = new ScramClient(mechanism, "alice", "correct horse battery");
      const first = s.first(await c.clientFirst());
      const final = await s.final(await c.clientFinal(first));
      await c.verifyServerFinal(final);
      expect(s.username).toBe("alice");
    });

    test("a wrong password is refused", async () => {
      const s = server();
      const c = new ScramClient(mechanism, "alice", "wrong");
      const first = s.first(await c.clientFirst());
      await expect(s.final(await c.clientFinal(first))).rejects.toThrow(/wrong password/);
      expect(s.username).toBeNull();
    });

    test("an unknown user, channel binding and a foreign nonce are refused", async () => {
      expect(() => server().first(encoder.encode("n,,n=mallory,r=abc"))).toThrow(/no SCRAM/);
      expect(() => server().first(encoder.encode("p=tls-unique,,n=alice,r=abc"))).toThrow(/gs2 header/);
      expect(() => server().first(encoder.encode("n,a=bob,n=alice,r=abc"))).toThrow(/authorization id/);
      const s = server();
      s.first(encoder.encode("n,,n=alice,r=abc"));
      await expect(s.final(encoder.encode("c=biws,r=abcOTHER,p=AAAA"))).rejects.toThrow(/nonce/);
    });
  });
}

import { describe, expect, test } from "bun:test";
import { InvalidPlainMessageError, parsePlainMessage, plainClientMessage } from "../../src/sasl/plain.ts";

describe("SASL/PLAIN", () => {
  test("client message is authzid NUL user NUL password", () => {
    expect(Array.from(plainClientMessage("alice", "pw"))).toEqual([0, 97, 108, 105, 99, 101, 0, 112, 119]);
    expect(new TextDecoder().decode(plainClientMessage("alice", "pw", "admin"))).toBe("admin\0alice\0pw");
  });

  test("round trip, including UTF-8 and a long JWT-sized password", () => {
    const password = "eyJ".padEnd(900, "x");
    expect(parsePlainMessage(plainClientMessage("ålice", password))).toEqual({ authzid: "", username: "ålice", password });
    expect(parsePlainMessage(plainClientMessage("bob", "pw", "bob"))).toEqual({ authzid: "bob", username: "bob", password: "pw" });
  });

  test("the password may contain '=' and ','", () => {
    expect(parsePlainMessage(plainClientMessage("u", "a=b,c")).password).toBe("a=b,c");
  });

  test.each([
    ["no NUL", "alice"],
    ["one NUL", "alice\0pw"],
    ["three NULs", "\0alice\0pw\0"],
    ["empty username", "\0\0pw"],
    ["empty password", "\0alice\0"],
  ])("rejects %s", (_, message) => {
    expect(() => parsePlainMessage(new TextEncoder().encode(message))).toThrow(InvalidPlainMessageError);
  });

  test("rejects invalid UTF-8 without echoing the password", () => {
    const message = new Uint8Array([0, 0x61, 0, 0xff, 0xfe]);
    expect(() => parsePlainMessage(message)).toThrow("not valid UTF-8");
  });

  test("refuses to build a message containing NUL", () => {
    expect(() => plainClientMessage("a\0b", "pw")).toThrow(InvalidPlainMessageError);
  });
});

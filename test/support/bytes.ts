// Byte helpers for tests that build frames by hand: the same join the code uses.
export { concatBytes } from "../../src/protocol/wire.ts";

// crypto.getRandomValues and crypto.randomUUID, backed by the OS random source. Workers forbids
// both at global scope, because random values there would be identical across isolates.
//
// A chunk: `engine/bootstrap.rs` wraps this file in `export default function (core) { ... }`, so
// the names below come from the core and the `return` at the end lists the chunk's exports.

const { assertInRequest, createDOMException, host, requireChunk } = core;

const MAX_RANDOM_BYTES = 65536;

const INTEGER_ARRAY_TYPES = [
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  BigInt64Array,
  BigUint64Array,
];

function isIntegerArray(value) {
  return INTEGER_ARRAY_TYPES.some((type) => value instanceof type);
}

class Crypto {
  getRandomValues(array) {
    assertInRequest();
    if (!isIntegerArray(array)) {
      throw createDOMException(
        "The data argument must be an integer-type TypedArray",
        "TypeMismatchError",
      );
    }
    if (array.byteLength > MAX_RANDOM_BYTES) {
      throw createDOMException(
        `The data argument must be at most ${MAX_RANDOM_BYTES} bytes long, but it is ` +
          `${array.byteLength} bytes`,
        "QuotaExceededError",
      );
    }
    host.randomFill(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
    return array;
  }

  randomUUID() {
    const bytes = this.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
}

// crypto.subtle loads the subtle chunk on first access.
Object.defineProperty(Crypto.prototype, "subtle", {
  get() {
    return requireChunk("subtle").subtleCrypto;
  },
  enumerable: true,
  configurable: true,
});

return { Crypto, crypto: new Crypto() };

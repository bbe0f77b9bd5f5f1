// Helpers that core files and chunks share: Web IDL conversions, BufferSource and UTF-8 bytes,
// URL parsing, pair iterators, and promise reactions that user code cannot patch.

/** Web IDL's USVString conversion: lone surrogates become U+FFFD. */
function toUSVString(value) {
  return String(value).toWellFormed();
}

/** Web IDL's [EnforceRange] unsigned long long conversion. */
function toEnforcedUnsignedInteger(value, what) {
  const number = Number(value);
  if (!Number.isFinite(number)) {
    throw new TypeError(`${what} must be a finite number.`);
  }
  const integer = Math.trunc(number);
  if (integer < 0 || integer > Number.MAX_SAFE_INTEGER) {
    throw new TypeError(`${what} is outside the accepted range.`);
  }
  return integer;
}

/**
 * Returns a Uint8Array over the bytes of a BufferSource (an ArrayBuffer, a SharedArrayBuffer,
 * a TypedArray or a DataView) without copying, or throws a TypeError naming `what`.
 */
function bufferSourceBytes(value, what) {
  if (value instanceof ArrayBuffer) {
    return new Uint8Array(value);
  }
  if (typeof SharedArrayBuffer === "function" && value instanceof SharedArrayBuffer) {
    return new Uint8Array(value);
  }
  if (ArrayBuffer.isView(value)) {
    return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  }
  throw new TypeError(`${what} must be an ArrayBuffer, a TypedArray or a DataView.`);
}

/** Returns true for an ArrayBuffer, SharedArrayBuffer, TypedArray or DataView. */
function isBufferSource(value) {
  return (
    value instanceof ArrayBuffer ||
    (typeof SharedArrayBuffer === "function" && value instanceof SharedArrayBuffer) ||
    ArrayBuffer.isView(value)
  );
}

/** Encodes a string as UTF-8, with each lone surrogate as U+FFFD, as USVString conversion does. */
function encodeUtf8(text) {
  return host.utf8Encode(String(text).toWellFormed());
}

/** Decodes UTF-8 bytes with replacement and BOM removal, the standard's "UTF-8 decode". */
function decodeUtf8(bytes) {
  const state = host.textDecoderNew("utf-8", false, false);
  return host.textDecoderDecode(state, bytes, false);
}

/** Joins byte arrays into one new Uint8Array. */
function concatBytes(chunks) {
  let length = 0;
  for (const chunk of chunks) {
    length += chunk.byteLength;
  }
  const result = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    result.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return result;
}

/** Parses `input` against an optional `base` and returns the URL's components, or null. */
function parseURLComponents(input, base) {
  const components =
    base === undefined
      ? host.urlParse(toUSVString(input))
      : host.urlParse(toUSVString(input), toUSVString(base));
  // The native returns undefined for a failed parse.
  return components ?? null;
}

/**
 * Builds the iterator object that `entries()`, `keys()` and `values()` return. `readEntry(index)`
 * returns the entry at `index`, or undefined past the end. It runs at each `next()`, so the
 * iterator reflects changes made while it runs, as Web IDL's pair iterators do.
 */
function createPairIterator(prototype, readEntry, kind) {
  let index = 0;
  const iterator = Object.create(prototype);
  Object.defineProperty(iterator, "next", {
    value: function next() {
      const entry = readEntry(index);
      if (entry === undefined) {
        return { value: undefined, done: true };
      }
      index++;
      if (kind === "key") {
        return { value: entry[0], done: false };
      }
      if (kind === "value") {
        return { value: entry[1], done: false };
      }
      return { value: [entry[0], entry[1]], done: false };
    },
    writable: true,
    configurable: true,
  });
  return iterator;
}

/** Creates the shared prototype of one interface's iterators, e.g. "URLSearchParams Iterator". */
function createIteratorPrototype(tag) {
  const prototype = Object.create(Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())));
  Object.defineProperty(prototype, Symbol.toStringTag, { value: tag, configurable: true });
  return prototype;
}

// Taken while the core loads, before user code runs, so a worker that patches
// Promise.prototype.then changes neither, even in a chunk that loads later.
const promiseThen = Promise.prototype.then;
const resolvedUndefined = Promise.resolve(undefined);

/** Calls `onFulfilled`/`onRejected` on settlement; returns the derived promise. */
function uponPromise(promise, onFulfilled, onRejected) {
  return promiseThen.call(promise, onFulfilled, onRejected);
}

function markPromiseHandled(promise) {
  promiseThen.call(promise, undefined, () => {});
}

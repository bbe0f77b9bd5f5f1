// TextEncoder, TextDecoder, atob and btoa (WHATWG Encoding and HTML standards). Decoding runs in
// Rust through encoding_rs; see natives/encoding.rs.
//
// A chunk: `engine/bootstrap.rs` wraps this file in `export default function (core) { ... }`, so
// the names below come from the core and the `return` at the end lists the chunk's exports.

const { bufferSourceBytes, createDOMException, encodeUtf8, host } = core;

/** Returns the number of UTF-8 bytes of a code point. */
function utf8Length(codePoint) {
  if (codePoint < 0x80) {
    return 1;
  }
  if (codePoint < 0x800) {
    return 2;
  }
  return codePoint < 0x10000 ? 3 : 4;
}

class TextEncoder {
  get encoding() {
    return "utf-8";
  }

  encode(input = "") {
    return encodeUtf8(input);
  }

  encodeInto(source, destination) {
    if (!(destination instanceof Uint8Array)) {
      throw new TypeError(
        "Failed to execute 'encodeInto' on 'TextEncoder': parameter 2 is not of type 'Uint8Array'.",
      );
    }
    const text = String(source);
    const capacity = destination.length;
    let read = 0;
    let written = 0;

    // Write whole code points until the next one does not fit; `read` counts UTF-16 code units.
    for (let index = 0; index < text.length; ) {
      let codePoint = text.codePointAt(index);
      const units = codePoint > 0xffff ? 2 : 1;
      if (codePoint >= 0xd800 && codePoint <= 0xdfff) {
        codePoint = 0xfffd;
      }
      const size = utf8Length(codePoint);
      if (written + size > capacity) {
        break;
      }
      if (size === 1) {
        destination[written] = codePoint;
      } else if (size === 2) {
        destination[written] = 0xc0 | (codePoint >> 6);
        destination[written + 1] = 0x80 | (codePoint & 0x3f);
      } else if (size === 3) {
        destination[written] = 0xe0 | (codePoint >> 12);
        destination[written + 1] = 0x80 | ((codePoint >> 6) & 0x3f);
        destination[written + 2] = 0x80 | (codePoint & 0x3f);
      } else {
        destination[written] = 0xf0 | (codePoint >> 18);
        destination[written + 1] = 0x80 | ((codePoint >> 12) & 0x3f);
        destination[written + 2] = 0x80 | ((codePoint >> 6) & 0x3f);
        destination[written + 3] = 0x80 | (codePoint & 0x3f);
      }
      written += size;
      read += units;
      index += units;
    }
    return { read, written };
  }
}
Object.defineProperty(TextEncoder.prototype, Symbol.toStringTag, {
  value: "TextEncoder",
  configurable: true,
});

class TextDecoder {
  #state;
  #encoding;
  #fatal;
  #ignoreBOM;

  constructor(label = "utf-8", options = undefined) {
    const dictionary = options ?? {};
    this.#fatal = Boolean(dictionary.fatal);
    this.#ignoreBOM = Boolean(dictionary.ignoreBOM);
    this.#state = host.textDecoderNew(
      String(label).toWellFormed(),
      this.#fatal,
      this.#ignoreBOM,
    );
    this.#encoding = host.textDecoderEncoding(this.#state);
  }

  get encoding() {
    return this.#encoding;
  }

  get fatal() {
    return this.#fatal;
  }

  get ignoreBOM() {
    return this.#ignoreBOM;
  }

  decode(input = undefined, options = undefined) {
    const bytes =
      input === undefined
        ? new Uint8Array(0)
        : bufferSourceBytes(input, "Failed to execute 'decode' on 'TextDecoder': parameter 1");
    const stream = Boolean(options?.stream);
    return host.textDecoderDecode(this.#state, bytes, stream);
  }
}
Object.defineProperty(TextDecoder.prototype, Symbol.toStringTag, {
  value: "TextDecoder",
  configurable: true,
});

const BASE64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Value of each base64 character by char code, or -1. */
const BASE64_VALUES = (() => {
  const values = new Int8Array(128).fill(-1);
  for (let index = 0; index < BASE64_ALPHABET.length; index++) {
    values[BASE64_ALPHABET.charCodeAt(index)] = index;
  }
  return values;
})();

const BTOA_MESSAGE =
  "btoa() can only operate on characters in the Latin1 (ISO/IEC 8859-1) range.";
const ATOB_MESSAGE =
  "atob() called with invalid base64-encoded data. (Only whitespace, '+', '/', alphanumeric " +
  "ASCII, and up to two terminal '=' signs when the input data length is divisible by 4 are " +
  "allowed.)";

function btoa(data) {
  if (arguments.length === 0) {
    throw new TypeError("Failed to execute 'btoa': 1 argument required, but only 0 present.");
  }
  const text = String(data);
  let output = "";
  for (let index = 0; index < text.length; index += 3) {
    const first = text.charCodeAt(index);
    const second = index + 1 < text.length ? text.charCodeAt(index + 1) : 0;
    const third = index + 2 < text.length ? text.charCodeAt(index + 2) : 0;
    if (first > 0xff || second > 0xff || third > 0xff) {
      throw createDOMException(BTOA_MESSAGE, "InvalidCharacterError");
    }
    const triple = (first << 16) | (second << 8) | third;
    output += BASE64_ALPHABET[triple >> 18] + BASE64_ALPHABET[(triple >> 12) & 0x3f];
    output += index + 1 < text.length ? BASE64_ALPHABET[(triple >> 6) & 0x3f] : "=";
    output += index + 2 < text.length ? BASE64_ALPHABET[triple & 0x3f] : "=";
  }
  return output;
}

// Follows the "forgiving-base64 decode" algorithm of the Infra standard.
function atob(data) {
  if (arguments.length === 0) {
    throw new TypeError("Failed to execute 'atob': 1 argument required, but only 0 present.");
  }
  let text = String(data).replace(/[\t\n\f\r ]/g, "");
  if (text.length % 4 === 0) {
    if (text.endsWith("==")) {
      text = text.slice(0, -2);
    } else if (text.endsWith("=")) {
      text = text.slice(0, -1);
    }
  }
  if (text.length % 4 === 1) {
    throw createDOMException(ATOB_MESSAGE, "InvalidCharacterError");
  }

  let output = "";
  let buffer = 0;
  let bits = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    const value = code < 128 ? BASE64_VALUES[code] : -1;
    if (value === -1) {
      throw createDOMException(ATOB_MESSAGE, "InvalidCharacterError");
    }
    buffer = ((buffer << 6) | value) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      output += String.fromCharCode((buffer >> bits) & 0xff);
    }
  }
  return output;
}

return { TextEncoder, TextDecoder, atob, btoa };

// Transform streams that encode, decode, compress and decompress: TextEncoderStream and
// TextDecoderStream (WHATWG Encoding standard), CompressionStream and DecompressionStream
// (WHATWG Compression standard). Decoding and compression run in Rust; see natives/.
//
// A chunk: `engine/bootstrap.rs` wraps this file in `export default function (core) { ... }`, so
// the names below come from the core and the `return` at the end lists the chunk's exports.

const { bufferSourceBytes, claimForCurrentRequest, encodeUtf8, host, requireChunk } = core;
const { createTransformStream, transformStreamDefaultControllerEnqueue } = requireChunk("streams");

/** Defines the `readable` and `writable` getters of a class whose `transformOf` is a record. */
function defineTransformPair(prototype, transformOf) {
  Object.defineProperties(prototype, {
    readable: {
      get() {
        return transformOf(this).readable.object;
      },
      configurable: true,
      enumerable: false,
    },
    writable: {
      get() {
        return transformOf(this).writable.object;
      },
      configurable: true,
      enumerable: false,
    },
  });
}

/** Enqueues `bytes` on a transform's readable side unless it is empty. */
function enqueueNonEmpty(controller, bytes) {
  if (bytes.byteLength > 0) {
    transformStreamDefaultControllerEnqueue(controller, bytes);
  }
}

// Set by the static block of TextEncoderStream.
let textEncoderStreamTransform;

class TextEncoderStream {
  #transform;
  /** A high surrogate that ended the last chunk, waiting for its low half. */
  #pendingHighSurrogate = null;

  static {
    textEncoderStreamTransform = (stream) => stream.#transform;
  }

  constructor() {
    claimForCurrentRequest(this);
    this.#transform = createTransformStream(
      (chunk, controller) => {
        let text = String(chunk);
        if (this.#pendingHighSurrogate !== null) {
          text = this.#pendingHighSurrogate + text;
          this.#pendingHighSurrogate = null;
        }
        const last = text.charCodeAt(text.length - 1);
        if (last >= 0xd800 && last <= 0xdbff) {
          this.#pendingHighSurrogate = text.slice(-1);
          text = text.slice(0, -1);
        }
        // encodeUtf8 turns a lone surrogate, including a pending one not followed by its low
        // half, into U+FFFD, as the standard's encoder does.
        enqueueNonEmpty(controller, encodeUtf8(text));
      },
      (controller) => {
        if (this.#pendingHighSurrogate !== null) {
          this.#pendingHighSurrogate = null;
          enqueueNonEmpty(controller, new Uint8Array([0xef, 0xbf, 0xbd]));
        }
      },
    );
  }

  get encoding() {
    return "utf-8";
  }
}
defineTransformPair(TextEncoderStream.prototype, (stream) => textEncoderStreamTransform(stream));
Object.defineProperty(TextEncoderStream.prototype, Symbol.toStringTag, {
  value: "TextEncoderStream",
  configurable: true,
});

// Set by the static block of TextDecoderStream.
let textDecoderStreamTransform;

class TextDecoderStream {
  #transform;
  #decoder;

  static {
    textDecoderStreamTransform = (stream) => stream.#transform;
  }

  constructor(label = "utf-8", options = undefined) {
    claimForCurrentRequest(this);
    const decoder = new (requireChunk("encoding").TextDecoder)(label, options);
    this.#decoder = decoder;
    this.#transform = createTransformStream(
      (chunk, controller) => {
        const bytes = bufferSourceBytes(chunk, "A TextDecoderStream chunk");
        const text = decoder.decode(bytes, { stream: true });
        if (text !== "") {
          transformStreamDefaultControllerEnqueue(controller, text);
        }
      },
      (controller) => {
        const text = decoder.decode();
        if (text !== "") {
          transformStreamDefaultControllerEnqueue(controller, text);
        }
      },
    );
  }

  get encoding() {
    return this.#decoder.encoding;
  }

  get fatal() {
    return this.#decoder.fatal;
  }

  get ignoreBOM() {
    return this.#decoder.ignoreBOM;
  }
}
defineTransformPair(TextDecoderStream.prototype, (stream) => textDecoderStreamTransform(stream));
Object.defineProperty(TextDecoderStream.prototype, Symbol.toStringTag, {
  value: "TextDecoderStream",
  configurable: true,
});

const COMPRESSION_FORMATS = ["deflate", "deflate-raw", "gzip"];

/** Converts the `format` argument, a CompressionFormat enum value. */
function toCompressionFormat(format, className) {
  const text = String(format);
  if (!COMPRESSION_FORMATS.includes(text)) {
    throw new TypeError(
      `Failed to construct '${className}': The provided value '${text}' is not a valid enum ` +
        "value of type CompressionFormat.",
    );
  }
  return text;
}

/** Creates the transform of a (de)compression stream over a native codec. */
function createCodecTransform(format, decompress) {
  const state = host.codecNew(format, decompress);
  return createTransformStream(
    (chunk, controller) => {
      const bytes = bufferSourceBytes(
        chunk,
        decompress ? "A DecompressionStream chunk" : "A CompressionStream chunk",
      );
      enqueueNonEmpty(controller, host.codecWrite(state, bytes));
    },
    (controller) => {
      enqueueNonEmpty(controller, host.codecFinish(state));
    },
  );
}

// Set by the static blocks of the two classes.
let compressionStreamTransform;
let decompressionStreamTransform;

class CompressionStream {
  #transform;

  static {
    compressionStreamTransform = (stream) => stream.#transform;
  }

  constructor(format) {
    if (arguments.length === 0) {
      throw new TypeError(
        "Failed to construct 'CompressionStream': 1 argument required, but only 0 present.",
      );
    }
    claimForCurrentRequest(this);
    this.#transform = createCodecTransform(toCompressionFormat(format, "CompressionStream"), false);
  }
}
defineTransformPair(CompressionStream.prototype, (stream) => compressionStreamTransform(stream));
Object.defineProperty(CompressionStream.prototype, Symbol.toStringTag, {
  value: "CompressionStream",
  configurable: true,
});

class DecompressionStream {
  #transform;

  static {
    decompressionStreamTransform = (stream) => stream.#transform;
  }

  constructor(format) {
    if (arguments.length === 0) {
      throw new TypeError(
        "Failed to construct 'DecompressionStream': 1 argument required, but only 0 present.",
      );
    }
    claimForCurrentRequest(this);
    this.#transform = createCodecTransform(
      toCompressionFormat(format, "DecompressionStream"),
      true,
    );
  }
}
defineTransformPair(DecompressionStream.prototype, (stream) =>
  decompressionStreamTransform(stream),
);
Object.defineProperty(DecompressionStream.prototype, Symbol.toStringTag, {
  value: "DecompressionStream",
  configurable: true,
});

return { TextEncoderStream, TextDecoderStream, CompressionStream, DecompressionStream };

// The Body mixin of the Fetch standard, shared by Request and Response, over a buffered body.

const BODY_USED_MESSAGE =
  "Body has already been used. It can only be used once. Use tee() first if you need to read it " +
  "twice.";
const STREAM_LOCKED_MESSAGE = "This ReadableStream is currently locked to a reader.";
const STREAM_DISTURBED_MESSAGE =
  "This ReadableStream is disturbed (has already been read from), and cannot be used as a body.";

/**
 * Creates the state of a body: its bytes (null for no body) and whether it was read or locked.
 * `bytes` is never changed after creation, so clones share it. `stream` is the object that the
 * `body` getter returns, made on first access.
 */
function createBodyState(bytes) {
  return { bytes, disturbed: false, locked: false, stream: null };
}

/** Throws the TypeError that reading a used or locked body gives. */
function assertBodyReadable(state) {
  if (state.disturbed) {
    throw new TypeError(BODY_USED_MESSAGE);
  }
  if (state.locked) {
    throw new TypeError(STREAM_LOCKED_MESSAGE);
  }
}

/** Marks a body as read and returns its bytes, or throws if it was already read or is locked. */
function takeBodyBytes(state) {
  assertBodyReadable(state);
  state.disturbed = true;
  return state.bytes;
}

// Set by the static block of BodyStream.
let createBodyStream;
let bodyStreamState;

// NOTE: a stand-in for ReadableStream until the streams API exists. It reads the whole buffered
// body as one chunk and supports getReader(), cancel(), tee() and async iteration, but it is not
// a global, cannot be constructed by a worker and has no BYOB readers, pipes or queuing.
class BodyStream {
  #state;

  static {
    createBodyStream = (state) => {
      const stream = new BodyStream();
      stream.#state = state;
      claimForCurrentRequest(stream);
      return stream;
    };
    bodyStreamState = (stream) => stream.#state;
  }

  get locked() {
    return this.#state.locked;
  }

  getReader(options = undefined) {
    assertSameRequest(this, "ReadableStream");
    if (options?.mode !== undefined) {
      throw new TypeError("This body stream supports only the default reader.");
    }
    if (this.#state.locked) {
      throw new TypeError(STREAM_LOCKED_MESSAGE);
    }
    this.#state.locked = true;
    return new BodyStreamReader(this.#state);
  }

  cancel(reason = undefined) {
    assertSameRequest(this, "ReadableStream");
    if (this.#state.locked) {
      return Promise.reject(new TypeError(STREAM_LOCKED_MESSAGE));
    }
    this.#state.disturbed = true;
    return Promise.resolve(undefined);
  }

  tee() {
    assertSameRequest(this, "ReadableStream");
    assertBodyReadable(this.#state);
    this.#state.locked = true;
    this.#state.disturbed = true;
    const bytes = this.#state.bytes;
    return [createBodyStream(createBodyState(bytes)), createBodyStream(createBodyState(bytes))];
  }

  async *[Symbol.asyncIterator]() {
    const reader = this.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) {
          return;
        }
        yield value;
      }
    } finally {
      reader.releaseLock();
    }
  }
}
Object.defineProperty(BodyStream.prototype, Symbol.toStringTag, {
  value: "ReadableStream",
  configurable: true,
});

class BodyStreamReader {
  #state;
  #released = false;
  #done = false;

  constructor(state) {
    this.#state = state;
  }

  get closed() {
    return Promise.resolve(undefined);
  }

  read() {
    if (this.#released) {
      return Promise.reject(new TypeError("This reader has been released."));
    }
    if (this.#done || this.#state.disturbed) {
      this.#done = true;
      return Promise.resolve({ value: undefined, done: true });
    }
    this.#state.disturbed = true;
    this.#done = true;
    const bytes = this.#state.bytes;
    // An empty body has no chunks at all.
    if (bytes.byteLength === 0) {
      return Promise.resolve({ value: undefined, done: true });
    }
    return Promise.resolve({ value: bytes.slice(), done: false });
  }

  cancel(reason = undefined) {
    this.#state.disturbed = true;
    this.#done = true;
    return Promise.resolve(undefined);
  }

  releaseLock() {
    if (!this.#released) {
      this.#released = true;
      this.#state.locked = false;
    }
  }
}
Object.defineProperty(BodyStreamReader.prototype, Symbol.toStringTag, {
  value: "ReadableStreamDefaultReader",
  configurable: true,
});

/**
 * Runs the Fetch standard's "extract a body" and returns `{ bytes, contentType }` for a body
 * init. `bytes` is null for a null body, and `contentType` is null when the init implies none.
 */
function extractBody(init) {
  if (init === null || init === undefined) {
    return { bytes: null, contentType: null };
  }
  if (typeof init === "string") {
    return { bytes: encodeUtf8(init), contentType: "text/plain;charset=UTF-8" };
  }
  if (isBufferSource(init)) {
    return { bytes: bufferSourceBytes(init, "The body").slice(), contentType: null };
  }
  if (init instanceof Blob) {
    return { bytes: blobBytes(init), contentType: init.type === "" ? null : init.type };
  }
  if (init instanceof URLSearchParams) {
    return {
      bytes: encodeUtf8(init.toString()),
      contentType: "application/x-www-form-urlencoded;charset=UTF-8",
    };
  }
  if (init instanceof FormData) {
    const boundary = newMultipartBoundary();
    return {
      bytes: serializeMultipart(init, boundary),
      contentType: `multipart/form-data; boundary=${boundary}`,
    };
  }
  if (init instanceof BodyStream) {
    assertSameRequest(init, "ReadableStream");
    const state = bodyStreamState(init);
    if (state.disturbed || state.locked) {
      throw new TypeError(STREAM_DISTURBED_MESSAGE);
    }
    // Like workerd, the new body takes over the stream, so the old one reads as used.
    state.disturbed = true;
    state.locked = true;
    return { bytes: state.bytes, contentType: null };
  }
  return { bytes: encodeUtf8(init), contentType: "text/plain;charset=UTF-8" };
}

/** Returns the essence ("type/subtype", lowercase) and parameters of a MIME type string. */
function parseMimeType(text) {
  const [essence, ...rest] = text.split(";");
  const parameters = new Map();
  for (const part of rest) {
    const equals = part.indexOf("=");
    if (equals === -1) {
      continue;
    }
    const name = part.slice(0, equals).trim().toLowerCase();
    let value = part.slice(equals + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) {
      value = value.slice(1, -1).replace(/\\(.)/g, "$1");
    }
    if (name !== "" && !parameters.has(name)) {
      parameters.set(name, value);
    }
  }
  return { essence: essence.trim().toLowerCase(), parameters };
}

/** Parses body bytes as FormData according to the Content-Type header value. */
function parseFormDataBody(bytes, contentType) {
  if (contentType === null) {
    throw new TypeError("Parsing a Body as FormData requires a Content-Type header.");
  }
  const { essence, parameters } = parseMimeType(contentType);
  if (essence === "multipart/form-data") {
    const boundary = parameters.get("boundary");
    if (boundary === undefined || boundary === "") {
      throw new TypeError(
        "No boundary string in Content-Type header. The multipart/form-data MIME type " +
          "requires a boundary parameter, e.g. 'Content-Type: multipart/form-data; " +
          "boundary=\"abcd\"'. See RFC 7578, section 4.",
      );
    }
    return parseMultipart(bytes, boundary);
  }
  if (essence === "application/x-www-form-urlencoded") {
    return parseUrlencodedFormData(bytes);
  }
  throw new TypeError(
    "Unrecognized Content-Type header value. FormData can only parse the following MIME " +
      "types: multipart/form-data, application/x-www-form-urlencoded",
  );
}

/**
 * Defines the Body mixin's members on a class prototype. `bodyOf(object)` returns the body
 * state (a brand check: it throws a TypeError for other objects) and `headersOf(object)` returns
 * the Headers that hold the Content-Type. `ioType` names the object in cross-request errors.
 */
function defineBodyMixin(prototype, bodyOf, headersOf, ioType) {
  const empty = new Uint8Array(0);

  // Consuming a body checks and marks it synchronously, then settles asynchronously, so a second
  // read right after the first fails even before the first settles. Reading is I/O, which
  // Workers disallows at global scope.
  function consume(object, convert) {
    try {
      assertInRequest();
      const state = bodyOf(object);
      assertSameRequest(object, ioType);
      const bytes = state.bytes === null ? empty : takeBodyBytes(state);
      return Promise.resolve().then(() => convert(bytes, object));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  const members = {
    get body() {
      const state = bodyOf(this);
      if (state.bytes === null) {
        return null;
      }
      assertSameRequest(this, ioType);
      if (state.stream === null) {
        state.stream = createBodyStream(state);
      }
      return state.stream;
    },

    get bodyUsed() {
      return bodyOf(this).disturbed;
    },

    arrayBuffer() {
      return consume(this, (bytes) => bytes.slice().buffer);
    },

    bytes() {
      return consume(this, (bytes) => bytes.slice());
    },

    text() {
      return consume(this, (bytes) => decodeUtf8(bytes));
    },

    json() {
      return consume(this, (bytes) => JSON.parse(decodeUtf8(bytes)));
    },

    formData() {
      return consume(this, (bytes, object) => {
        return parseFormDataBody(bytes, headersOf(object).get("content-type"));
      });
    },

    blob() {
      return consume(this, (bytes, object) => {
        return createBlob(bytes.slice(), headersOf(object).get("content-type") ?? "");
      });
    },
  };

  for (const key of Object.keys(members)) {
    const descriptor = Object.getOwnPropertyDescriptor(members, key);
    descriptor.enumerable = false;
    Object.defineProperty(prototype, key, descriptor);
  }
}

/** Sets Content-Type from an extracted body unless the headers already have one. */
function applyBodyContentType(headers, contentType) {
  if (contentType !== null && !headers.has("content-type")) {
    appendHeaderUnchecked(headers, "content-type", contentType);
  }
}

// The Body mixin of the Fetch standard, shared by Request and Response. A body is null, bytes in
// memory, or a ReadableStream; a body in memory gets a byte stream only when `body` is read.

const BODY_USED_MESSAGE =
  "Body has already been used. It can only be used once. Use tee() first if you need to read it " +
  "twice.";
const STREAM_DISTURBED_MESSAGE =
  "This ReadableStream is disturbed (has already been read from), and cannot be used as a body.";

/**
 * Creates the state of a body held in memory: `bytes` is a Uint8Array, or null for no body. The
 * bytes never change after creation, so clones share them. `stream` is the ReadableStream record
 * that the `body` getter exposes, made on first access. `used` is set once the bytes were taken
 * without reading that stream.
 */
function createBodyState(bytes) {
  return { bytes, stream: null, used: false };
}

/** Creates the state of a body that is a ReadableStream (its record). */
function createStreamBodyState(stream) {
  return { bytes: null, stream, used: false };
}

function bodyIsNull(state) {
  return state.bytes === null && state.stream === null;
}

/** Returns true once the body was read, cancelled or taken over, as `bodyUsed` reports. */
function bodyIsUsed(state) {
  return state.used || (state.stream !== null && state.stream.disturbed);
}

function bodyIsLocked(state) {
  return state.stream !== null && isReadableStreamLocked(state.stream);
}

/** Throws the TypeError that reading a used or locked body gives. */
function assertBodyReadable(state) {
  if (bodyIsUsed(state)) {
    throw new TypeError(BODY_USED_MESSAGE);
  }
  if (bodyIsLocked(state)) {
    throw new TypeError(STREAM_LOCKED_MESSAGE);
  }
}

/** Returns the bytes of a body that are known without reading a user's stream, or null. */
function bufferedBodyBytes(state) {
  if (state.stream === null) {
    return state.bytes;
  }
  return bufferedStreamBytes(state.stream);
}

/**
 * Marks a readable body as used and returns its bytes when they are in memory, or returns null
 * and changes nothing when the body is a stream that must be read. Throws for a used or locked
 * body.
 */
function takeBufferedBody(state) {
  assertBodyReadable(state);
  const bytes = bufferedBodyBytes(state);
  if (bytes === null) {
    return null;
  }
  state.used = true;
  if (state.stream !== null) {
    markStreamConsumed(state.stream);
  }
  return bytes;
}

/**
 * Reads a whole body and returns a promise of its bytes, empty for a null body. The checks run
 * synchronously, so a second read right after the first fails even before the first settles.
 */
function consumeBody(state) {
  if (bodyIsNull(state)) {
    return Promise.resolve(new Uint8Array(0));
  }
  const bytes = takeBufferedBody(state);
  if (bytes !== null) {
    return Promise.resolve(bytes);
  }
  return readAllBytes(state.stream);
}

/** Returns the body's ReadableStream record, creating one over the bytes on first access. */
function bodyStream(state) {
  if (state.stream === null && state.bytes !== null) {
    state.stream = createBufferedByteStream(state.bytes);
    if (state.used) {
      markStreamConsumed(state.stream);
    }
  }
  return state.stream;
}

/**
 * Returns the body state of a clone. A body in memory is shared. A stream body is teed: this
 * body continues with the first branch and the clone gets the second, as the Fetch standard's
 * "clone a body" does.
 */
function cloneBodyState(state) {
  assertBodyReadable(state);
  if (bodyIsNull(state)) {
    return createBodyState(null);
  }
  const bytes = bufferedBodyBytes(state);
  if (bytes !== null) {
    return createBodyState(bytes);
  }
  const [branch1, branch2] = readableStreamTee(state.stream);
  state.stream = branch1;
  return createStreamBodyState(branch2);
}

/**
 * Moves a body to a new Request built from an old one, which then reads as used. A stream body
 * reaches the new Request through an identity TransformStream, the Fetch standard's proxy.
 */
function transferBodyState(state) {
  if (bodyIsNull(state)) {
    return createBodyState(null);
  }
  const bytes = takeBufferedBody(state);
  if (bytes !== null) {
    return createBodyState(bytes);
  }
  const identity = createTransformStream(
    (chunk, controller) => transformStreamDefaultControllerEnqueue(controller, chunk),
    () => undefined,
  );
  const piping = readableStreamPipeTo(state.stream, identity.writable, false, false, false, undefined);
  markPromiseHandled(piping);
  return createStreamBodyState(identity.readable);
}

/**
 * Runs the Fetch standard's "extract a body" and returns `{ state, contentType }` for a body
 * init: the body state, and the Content-Type it implies or null.
 */
function extractBody(init) {
  if (init === null || init === undefined) {
    return { state: createBodyState(null), contentType: null };
  }
  if (typeof init === "string") {
    return { state: createBodyState(encodeUtf8(init)), contentType: "text/plain;charset=UTF-8" };
  }
  if (isBufferSource(init)) {
    const bytes = bufferSourceBytes(init, "The body").slice();
    return { state: createBodyState(bytes), contentType: null };
  }
  if (init instanceof Blob) {
    return {
      state: createBodyState(blobBytes(init)),
      contentType: init.type === "" ? null : init.type,
    };
  }
  if (init instanceof URLSearchParams) {
    return {
      state: createBodyState(encodeUtf8(init.toString())),
      contentType: "application/x-www-form-urlencoded;charset=UTF-8",
    };
  }
  if (init instanceof FormData) {
    const boundary = newMultipartBoundary();
    return {
      state: createBodyState(serializeMultipart(init, boundary)),
      contentType: `multipart/form-data; boundary=${boundary}`,
    };
  }
  const stream = readableStreamRecordOf(init);
  if (stream !== undefined) {
    assertSameRequest(init, "ReadableStream");
    if (stream.disturbed || isReadableStreamLocked(stream)) {
      throw new TypeError(STREAM_DISTURBED_MESSAGE);
    }
    return { state: createStreamBodyState(stream), contentType: null };
  }
  return { state: createBodyState(encodeUtf8(init)), contentType: "text/plain;charset=UTF-8" };
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
  // Reading is I/O, which Workers disallows at global scope.
  function consume(object, convert) {
    try {
      assertInRequest();
      const state = bodyOf(object);
      assertSameRequest(object, ioType);
      return uponPromise(consumeBody(state), (bytes) => convert(bytes, object));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  const members = {
    get body() {
      const state = bodyOf(this);
      if (bodyIsNull(state)) {
        return null;
      }
      assertSameRequest(this, ioType);
      return bodyStream(state).object;
    },

    get bodyUsed() {
      return bodyIsUsed(bodyOf(this));
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

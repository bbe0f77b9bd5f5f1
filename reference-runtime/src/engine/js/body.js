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

// A body with a stream implies that the streams chunk is loaded, so the functions below load
// it only where `state.stream` is set or where they make a stream.

function bodyIsLocked(state) {
  return state.stream !== null && requireChunk("streams").isReadableStreamLocked(state.stream);
}

/** Throws the TypeError that reading a used or locked body gives. */
function assertBodyReadable(state) {
  if (bodyIsUsed(state)) {
    throw new TypeError(BODY_USED_MESSAGE);
  }
  if (bodyIsLocked(state)) {
    throw new TypeError(requireChunk("streams").STREAM_LOCKED_MESSAGE);
  }
}

/** Returns the bytes of a body that are known without reading a user's stream, or null. */
function bufferedBodyBytes(state) {
  if (state.stream === null) {
    return state.bytes;
  }
  return requireChunk("streams").bufferedStreamBytes(state.stream);
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
    requireChunk("streams").markStreamConsumed(state.stream);
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
  return requireChunk("streams").readAllBytes(state.stream);
}

/** Returns the body's ReadableStream record, creating one over the bytes on first access. */
function bodyStream(state) {
  if (state.stream === null && state.bytes !== null) {
    const streams = requireChunk("streams");
    state.stream = streams.createBufferedByteStream(state.bytes);
    if (state.used) {
      streams.markStreamConsumed(state.stream);
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
  const [branch1, branch2] = requireChunk("streams").readableStreamTee(state.stream);
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
  const streams = requireChunk("streams");
  const identity = streams.createTransformStream(
    (chunk, controller) => streams.transformStreamDefaultControllerEnqueue(controller, chunk),
    () => undefined,
  );
  const piping = streams.readableStreamPipeTo(
    state.stream,
    identity.writable,
    false,
    false,
    false,
    undefined,
  );
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
  // An instance of a chunk's class implies that the chunk is loaded, so these checks load none.
  if (isChunkInstance(init, "blob", "Blob")) {
    return {
      state: createBodyState(requireChunk("blob").blobBytes(init)),
      contentType: init.type === "" ? null : init.type,
    };
  }
  if (isChunkInstance(init, "url", "URLSearchParams")) {
    return {
      state: createBodyState(encodeUtf8(init.toString())),
      contentType: "application/x-www-form-urlencoded;charset=UTF-8",
    };
  }
  if (isChunkInstance(init, "blob", "FormData")) {
    const { newMultipartBoundary, serializeMultipart } = requireChunk("blob");
    const boundary = newMultipartBoundary();
    return {
      state: createBodyState(serializeMultipart(init, boundary)),
      contentType: `multipart/form-data; boundary=${boundary}`,
    };
  }
  const streams = loadedChunk("streams");
  const stream = streams === undefined ? undefined : streams.readableStreamRecordOf(init);
  if (stream !== undefined) {
    assertSameRequest(init, "ReadableStream");
    if (stream.disturbed || streams.isReadableStreamLocked(stream)) {
      throw new TypeError(STREAM_DISTURBED_MESSAGE);
    }
    return { state: createStreamBodyState(stream), contentType: null };
  }
  return { state: createBodyState(encodeUtf8(init)), contentType: "text/plain;charset=UTF-8" };
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
        const contentType = headersOf(object).get("content-type");
        return requireChunk("blob").parseFormDataBody(bytes, contentType);
      });
    },

    blob() {
      return consume(this, (bytes, object) => {
        const type = headersOf(object).get("content-type") ?? "";
        return requireChunk("blob").createBlob(bytes.slice(), type);
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

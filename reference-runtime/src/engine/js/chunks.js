// Chunks: the parts of the runtime's JS that an isolate loads on first use instead of at start.
// `engine/bootstrap.rs` lists them. Each chunk file is compiled once per process into a module
// whose default export is a function of `core`, the object that `chunkCore()` returns here, and
// that function returns the chunk's exports. Core code calls `requireChunk` where it needs a
// chunk, as in `requireChunk("streams").readAllBytes(stream)`, and a lazy global calls it on
// first access.

/** Exports of each chunk that this isolate has loaded, by chunk name. */
const loadedChunks = new Map();

/**
 * Returns the exports of chunk `name`, loading it on first use. Loading runs JS, so it counts
 * against the CPU and memory limits of whatever is running, and a failed load is retried on the
 * next call. A chunk may require another one while it loads, but two chunks that require each
 * other that way would recurse until the stack overflows.
 */
function requireChunk(name) {
  let exports = loadedChunks.get(name);
  if (exports === undefined) {
    const load = host.loadChunk(name);
    exports = load(chunkCore());
    loadedChunks.set(name, exports);
  }
  return exports;
}

/** Returns the exports of chunk `name` if this isolate has loaded it, or undefined. */
function loadedChunk(name) {
  return loadedChunks.get(name);
}

/**
 * Returns true when `value` is an instance of class `className` of chunk `chunkName`. Until the
 * chunk is loaded its classes do not exist, so nothing is an instance and the chunk stays
 * unloaded.
 */
function isChunkInstance(value, chunkName, className) {
  const exports = loadedChunks.get(chunkName);
  return exports !== undefined && value instanceof exports[className];
}

/** Creates a DOMException, loading its chunk on first use. */
function createDOMException(message, name) {
  const error = new (requireChunk("dom-exception").DOMException)(message, name);
  // Start the stack at the caller, as a direct `new DOMException(...)` there would.
  Error.captureStackTrace(error, createDOMException);
  return error;
}

// Taken before install() makes the descriptor functions load lazy globals, for code that reads
// descriptors of the global object and must not load every chunk, as console.log(globalThis)
// would.
const reflectGetOwnPropertyDescriptor = Reflect.getOwnPropertyDescriptor;

/** The EventTarget behind the global addEventListener and dispatchEvent, made on first use. */
let globalEvents = null;

function globalEventTarget() {
  if (globalEvents === null) {
    globalEvents = new (requireChunk("events").EventTarget)();
  }
  return globalEvents;
}

let coreForChunks = null;

/**
 * Returns the core names that chunks may use. The object is built on the first chunk load,
 * after `install()` has set `host`, and keeps the values the names have then, so it must not
 * list a name that the core assigns again later.
 */
function chunkCore() {
  if (coreForChunks === null) {
    coreForChunks = {
      host,
      requireChunk,
      loadedChunk,
      isChunkInstance,
      createDOMException,
      globalEventTarget,
      reflectGetOwnPropertyDescriptor,
      claimForCurrentRequest,
      assertSameRequest,
      assertInRequest,
      // shared.js
      toUSVString,
      toEnforcedUnsignedInteger,
      bufferSourceBytes,
      isBufferSource,
      encodeUtf8,
      decodeUtf8,
      concatBytes,
      parseURLComponents,
      createPairIterator,
      createIteratorPrototype,
      promiseThen,
      resolvedUndefined,
      uponPromise,
      markPromiseHandled,
      // The Fetch API and dispatch.
      Headers,
      Request,
      Response,
      NULL_BODY_STATUSES,
      createInternalResponse,
      workerState,
      describeError,
      trackWaitUntil,
      failRequest,
      settleResponse,
      bodyWasRead,
    };
  }
  return coreForChunks;
}

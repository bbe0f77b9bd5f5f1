// Module-scope state shared by every core file. The engine concatenates the core files listed in
// `engine/bootstrap.rs` into one ES module, so each file uses these names without imports and
// user code cannot reach them. Chunks get them from `chunkCore()` in chunks.js.

/** Native functions of the isolate, set by `install()` before any user code runs. */
let host = null;

/**
 * Globals that `install()` defines, in order, as a flat list of `name, value, chunkName` triples.
 * `chunkName` is undefined for a global with a value, and names the chunk that exports a lazy
 * global. The list is flat because creating an array per global costs more at every start.
 */
const globalDefinitions = [];

/** Queues a global such as `Headers` for `install()` to define, non-enumerable as in browsers. */
function defineGlobal(name, value) {
  globalDefinitions.push(name, value, undefined);
}

/** Queues globals that are exports of chunk `chunkName` and load it on first access. */
function defineLazyGlobals(chunkName, names) {
  for (let index = 0; index < names.length; index++) {
    globalDefinitions.push(names[index], undefined, chunkName);
  }
}

const CROSS_REQUEST_MESSAGE =
  "Cannot perform I/O on behalf of a different request. I/O objects (such as streams, " +
  "request/response bodies, and others) created in the context of one request handler cannot " +
  "be accessed from a different request's handler. This is a limitation of Cloudflare Workers " +
  "which allows us to improve overall performance.";

const GLOBAL_SCOPE_MESSAGE =
  "Disallowed operation called within global scope. Asynchronous I/O (ex: fetch() or " +
  "connect()), setting a timeout, and generating random values are not allowed within global " +
  "scope. To fix this error, perform this operation within a handler. " +
  "https://developers.cloudflare.com/workers/runtime-apis/handlers/";

/** Request that owns each I/O object; 0 means the global scope, which any request may use. */
const ioOwners = new WeakMap();

/** Records that `object` belongs to the request whose code is running now. */
function claimForCurrentRequest(object) {
  ioOwners.set(object, host.currentRequest());
}

/** Throws the Workers cross-request error when `object` belongs to another request. */
function assertSameRequest(object, ioType) {
  const owner = ioOwners.get(object);
  if (owner && owner !== host.currentRequest()) {
    throw new Error(`${CROSS_REQUEST_MESSAGE} (I/O type: ${ioType})`);
  }
}

/** Throws the Workers global-scope error unless a request handler is running. */
function assertInRequest() {
  if (host.currentRequest() === 0) {
    throw new Error(GLOBAL_SCOPE_MESSAGE);
  }
}

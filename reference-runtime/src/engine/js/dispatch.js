// Request dispatch: builds the incoming Request, runs the module's `fetch` handler or the
// service worker's fetch listeners (in service-worker.js), and hands the Response or the failure
// back to the engine.

const workerState = {
  syntax: "module",
  handler: undefined,
  env: {},
  fetchListeners: [],
};

const NO_FETCH_EXPORT_WARNING =
  "Received a FetchEvent but we lack a handler for FetchEvents. Did you remember to export a " +
  "fetch() function?";

/** Formats a thrown value for the engine's log, with the stack when there is one. */
function describeError(error) {
  if (error instanceof Error) {
    const head = `${error.name}: ${error.message}`;
    return error.stack ? `${head}\n${error.stack}`.trimEnd() : head;
  }
  try {
    return `Uncaught ${String(error)}`;
  } catch {
    return "Uncaught exception that cannot be converted to a string";
  }
}

function trackWaitUntil(requestId, promise) {
  host.waitUntilStart(requestId);
  Promise.resolve(promise).then(
    () => host.waitUntilEnd(requestId, null),
    (error) => host.waitUntilEnd(requestId, describeError(error)),
  );
}

/** The `ctx` argument of a module's fetch handler. */
class ExecutionContext {
  #requestId;

  constructor(requestId) {
    this.#requestId = requestId;
  }

  waitUntil(promise) {
    trackWaitUntil(this.#requestId, promise);
  }

  passThroughOnException() {
    host.passThroughOnException(this.#requestId);
  }
}

/** The Request each in-flight dispatch received, so a pass-through can tell if its body was read. */
const incomingRequests = new Map();

function bodyWasRead(requestId) {
  const request = incomingRequests.get(requestId);
  incomingRequests.delete(requestId);
  return request !== undefined && request.bodyUsed === true;
}

function failRequest(requestId, error) {
  host.fail(requestId, describeError(error), bodyWasRead(requestId));
}

function sendResponse(requestId, response) {
  if (!(response instanceof Response)) {
    failRequest(
      requestId,
      new TypeError("Incorrect type for Promise: the Promise did not resolve to 'Response'."),
    );
    return;
  }
  if (response.type === "error") {
    failRequest(
      requestId,
      new TypeError(
        "Return value from serve handler must not be an error response (like Response.error())",
      ),
    );
    return;
  }
  responseParts(response).then(
    (parts) => {
      const flat = [];
      for (const [name, value] of parts.headers) {
        flat.push(name, value);
      }
      incomingRequests.delete(requestId);
      if (parts.stream !== undefined) {
        host.respondStream(requestId, parts.status, parts.statusText, flat);
        pumpStream(requestId, parts.stream);
      } else {
        host.respond(requestId, parts.status, parts.statusText, flat, parts.body);
      }
    },
    (error) => failRequest(requestId, error),
  );
}

/** Readers of streamed responses in flight, by request, so a disconnect can cancel them. */
const responseReaders = new Map();

const CLIENT_DISCONNECTED_MESSAGE = "The client has disconnected";

function toChunk(value) {
  if (value instanceof Uint8Array) {
    return value;
  }
  if (ArrayBuffer.isView(value)) {
    return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  }
  if (value instanceof ArrayBuffer) {
    return new Uint8Array(value);
  }
  throw new TypeError(
    "This TransformStream is being used as a byte stream, but received an object of " +
      "non-ArrayBuffer/ArrayBufferView type on its writable side.",
  );
}

/** Sends the chunks of a response stream to the client until it ends, fails or is cancelled. */
async function pumpStream(requestId, stream) {
  let reader;
  try {
    reader = stream.getReader();
    responseReaders.set(requestId, reader);
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        break;
      }
      if (!host.streamChunk(requestId, toChunk(value))) {
        await reader.cancel(createDOMException(CLIENT_DISCONNECTED_MESSAGE, "AbortError"));
        return;
      }
    }
    host.streamEnd(requestId, null);
  } catch (error) {
    if (reader !== undefined) {
      reader.cancel(error).catch(() => {});
    }
    host.streamEnd(requestId, describeError(error));
  } finally {
    responseReaders.delete(requestId);
  }
}

/** Cancels the response stream of a request whose client went away. */
function cancelStream(requestId) {
  const reader = responseReaders.get(requestId);
  responseReaders.delete(requestId);
  if (reader !== undefined) {
    reader.cancel(createDOMException(CLIENT_DISCONNECTED_MESSAGE, "AbortError")).catch(() => {});
  }
}

function settleResponse(requestId, result) {
  Promise.resolve(result).then(
    (response) => sendResponse(requestId, response),
    (error) => failRequest(requestId, error),
  );
}

function runModuleHandler(requestId, request) {
  const handler = workerState.handler;
  // Without a default export, workerd dispatches as a service worker with no listeners, which
  // passes the request through to the origin.
  if (handler === undefined) {
    host.passThrough(requestId, false);
    return;
  }
  let result;
  try {
    if (handler === null || typeof handler.fetch !== "function") {
      host.log("warn", NO_FETCH_EXPORT_WARNING);
      throw new Error("Handler does not export a fetch() function.");
    }
    result = handler.fetch(request, workerState.env, new ExecutionContext(requestId));
  } catch (error) {
    failRequest(requestId, error);
    return;
  }
  settleResponse(requestId, result);
}

/** Entry point of every request: `headerPairs` is a flat [name, value, ...] list. */
function dispatchFetch(requestId, method, url, headerPairs, body) {
  let request;
  try {
    const headers = [];
    for (let i = 0; i + 1 < headerPairs.length; i += 2) {
      headers.push([headerPairs[i], headerPairs[i + 1]]);
    }
    request = makeIncomingRequest(method, url, headers, body);
    incomingRequests.set(requestId, request);
  } catch (error) {
    failRequest(requestId, error);
    return;
  }
  if (workerState.syntax === "module") {
    runModuleHandler(requestId, request);
  } else {
    requireChunk("service-worker").runFetchListeners(requestId, request);
  }
}

defineGlobal("ExecutionContext", ExecutionContext);

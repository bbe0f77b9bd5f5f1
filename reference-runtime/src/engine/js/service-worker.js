// FetchEvent and the dispatch of a request to the fetch listeners of a service worker.
//
// A chunk: `engine/bootstrap.rs` wraps this file in `export default function (core) { ... }`, so
// the names below come from the core and the `return` at the end lists the chunk's exports.

const {
  bodyWasRead,
  createDOMException,
  failRequest,
  host,
  requireChunk,
  settleResponse,
  trackWaitUntil,
  workerState,
} = core;
const {
  Event,
  beginEventDispatch,
  endEventDispatch,
  isEventStopped,
  setEventTrusted,
} = requireChunk("events");

const TOO_LATE_MESSAGE =
  "Too late to call FetchEvent.respondWith(). It must be called synchronously in the event " +
  "handler.";
const ALREADY_CALLED_MESSAGE =
  "FetchEvent.respondWith() has already been called; it can only be called once.";

/** Internal state of each FetchEvent: the dispatch window and the response it was given. */
const fetchEventStates = new WeakMap();

class FetchEvent extends Event {
  constructor(type, init = {}) {
    super(type, { cancelable: true });
    fetchEventStates.set(this, {
      request: init.request,
      requestId: 0,
      dispatching: false,
      responded: false,
      response: undefined,
    });
  }

  get request() {
    return fetchEventStates.get(this).request;
  }

  respondWith(response) {
    const state = fetchEventStates.get(this);
    if (!state.dispatching) {
      throw createDOMException(TOO_LATE_MESSAGE, "InvalidStateError");
    }
    if (state.responded) {
      throw createDOMException(ALREADY_CALLED_MESSAGE, "InvalidStateError");
    }
    state.responded = true;
    state.response = response;
    // The Service Workers spec stops propagation here, so later listeners never run.
    this.stopImmediatePropagation();
  }

  waitUntil(promise) {
    const state = fetchEventStates.get(this);
    if (state.requestId === 0) {
      throw createDOMException(
        "waitUntil() can only be called on trusted event.",
        "InvalidStateError",
      );
    }
    trackWaitUntil(state.requestId, promise);
  }

  passThroughOnException() {
    const state = fetchEventStates.get(this);
    if (state.requestId !== 0) {
      host.passThroughOnException(state.requestId);
    }
  }
}

function runFetchListeners(requestId, request) {
  const event = new FetchEvent("fetch", { request });
  const state = fetchEventStates.get(event);
  state.requestId = requestId;
  state.dispatching = true;
  setEventTrusted(event);
  beginEventDispatch(event, globalThis);
  try {
    for (const listener of workerState.fetchListeners.slice()) {
      if (isEventStopped(event)) {
        break;
      }
      if (typeof listener === "function") {
        listener.call(globalThis, event);
      } else if (listener !== null && typeof listener.handleEvent === "function") {
        listener.handleEvent(event);
      }
    }
  } catch (error) {
    failRequest(requestId, error);
    return;
  } finally {
    state.dispatching = false;
    endEventDispatch(event);
  }

  if (state.responded) {
    settleResponse(requestId, state.response);
  } else if (event.defaultPrevented) {
    failRequest(requestId, new Error("preventDefault() called but respondWith() not called"));
  } else {
    host.passThrough(requestId, bodyWasRead(requestId));
  }
}

return { FetchEvent, runFetchListeners };

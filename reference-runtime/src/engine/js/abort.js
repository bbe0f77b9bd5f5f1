// AbortController and AbortSignal, following the WHATWG DOM standard except where workerd
// differs. Each difference is marked where it sits.
//
// A chunk: `engine/bootstrap.rs` wraps this file in `export default function (core) { ... }`, so
// the names below come from the core and the `return` at the end lists the chunk's exports.

const {
  assertInRequest,
  assertSameRequest,
  claimForCurrentRequest,
  createDOMException,
  requireChunk,
} = core;
const {
  Event,
  EventTarget,
  getEventHandlerAttribute,
  removeAllEventListeners,
  setEventHandlerAttribute,
  setEventTrusted,
} = requireChunk("events");

/** Message of the AbortError that `abort()` uses when no reason is given (workerd's text). */
const ABORT_MESSAGE = "The operation was aborted";

/** Message of the TimeoutError that `AbortSignal.timeout()` uses (workerd's text). */
const TIMEOUT_ABORT_MESSAGE = "The operation was aborted due to timeout";

// Set by the static block of AbortSignal.
let createAbortSignal;
let signalAbort;

/** Token that lets module code construct an AbortSignal while user code cannot. */
const ABORT_SIGNAL_TOKEN = Symbol("AbortSignal constructor token");

/** Returns the value as an AbortSignal, or throws a TypeError naming the argument. */
function requireAbortSignal(value, what) {
  if (!(value instanceof AbortSignal)) {
    throw new TypeError(`${what} must be an AbortSignal.`);
  }
  return value;
}

/** Converts the `milliseconds` argument of AbortSignal.timeout(), an [EnforceRange] integer. */
function toTimeoutMilliseconds(value) {
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0 || number > Number.MAX_SAFE_INTEGER) {
    throw new TypeError(
      "Failed to execute 'timeout' on 'AbortSignal': the delay must be a finite, " +
        "non-negative number of milliseconds.",
    );
  }
  return Math.trunc(number);
}

class AbortSignal extends EventTarget {
  #aborted = false;
  #reason = undefined;
  /** Signals made by AbortSignal.any() that abort when this one does. */
  #dependents = [];

  static {
    createAbortSignal = () => {
      const signal = new AbortSignal(ABORT_SIGNAL_TOKEN);
      claimForCurrentRequest(signal);
      return signal;
    };
    signalAbort = (signal, reason) => {
      if (signal.#aborted) {
        return;
      }
      signal.#aborted = true;
      signal.#reason =
        reason === undefined ? createDOMException(ABORT_MESSAGE, "AbortError") : reason;
      const dependents = signal.#dependents;
      signal.#dependents = [];
      try {
        const event = new Event("abort");
        setEventTrusted(event);
        signal.dispatchEvent(event);
      } finally {
        // workerd drops the listeners of a signal once it has fired, since it cannot fire again.
        removeAllEventListeners(signal);
        for (const dependent of dependents) {
          signalAbort(dependent, signal.#reason);
        }
      }
    };
  }

  constructor(token = undefined) {
    if (token !== ABORT_SIGNAL_TOKEN) {
      throw new TypeError("Illegal constructor");
    }
    super();
  }

  get aborted() {
    assertSameRequest(this, "RefcountedCanceler");
    return this.#aborted;
  }

  get reason() {
    assertSameRequest(this, "RefcountedCanceler");
    return this.#reason;
  }

  get onabort() {
    return getEventHandlerAttribute(this, "abort");
  }

  set onabort(handler) {
    setEventHandlerAttribute(this, "abort", handler);
  }

  throwIfAborted() {
    assertSameRequest(this, "RefcountedCanceler");
    if (this.#aborted) {
      throw this.#reason;
    }
  }

  static abort(reason = undefined) {
    const signal = createAbortSignal();
    signalAbort(signal, reason);
    return signal;
  }

  static timeout(milliseconds) {
    const delay = toTimeoutMilliseconds(milliseconds);
    // A timer outside a request is the global-scope error in Workers, so check before creating
    // the signal. setTimeout itself makes the same check.
    assertInRequest();
    const signal = createAbortSignal();
    // This is the runtime's own setTimeout from timers.js, so a worker that replaces
    // globalThis.setTimeout does not change this timer.
    requireChunk("timers").setTimeout(() => {
      signalAbort(signal, createDOMException(TIMEOUT_ABORT_MESSAGE, "TimeoutError"));
    }, delay);
    return signal;
  }

  static any(signals) {
    if (signals === null || typeof signals !== "object" || !(Symbol.iterator in signals)) {
      throw new TypeError("AbortSignal.any() requires an iterable of AbortSignal objects.");
    }
    const sources = [];
    for (const value of signals) {
      sources.push(requireAbortSignal(value, "Each member of the AbortSignal.any() argument"));
    }
    for (const source of sources) {
      if (source.aborted) {
        return AbortSignal.abort(source.reason);
      }
    }
    const signal = createAbortSignal();
    for (const source of sources) {
      source.#dependents.push(signal);
    }
    return signal;
  }
}
Object.defineProperty(AbortSignal.prototype, Symbol.toStringTag, {
  value: "AbortSignal",
  configurable: true,
});

class AbortController {
  #signal;

  // NOTE: workerd ties AbortController to the current request's I/O context and may reject it at
  // global scope. This runtime allows it there and lets any request use such a controller.
  constructor() {
    claimForCurrentRequest(this);
    this.#signal = createAbortSignal();
  }

  get signal() {
    return this.#signal;
  }

  abort(reason = undefined) {
    assertSameRequest(this, "RefcountedCanceler");
    signalAbort(this.#signal, reason);
  }
}
Object.defineProperty(AbortController.prototype, Symbol.toStringTag, {
  value: "AbortController",
  configurable: true,
});

return { AbortSignal, AbortController, createAbortSignal, signalAbort };

// DOMException, Event, EventTarget, CustomEvent, ErrorEvent (HTML standard), AbortController and
// AbortSignal, following the WHATWG DOM standard except where workerd differs. Each difference is
// marked where it sits.

/** Legacy `code` values of the DOMException names that have one (Web IDL, "error names"). */
const DOM_EXCEPTION_CODES = {
  IndexSizeError: 1,
  HierarchyRequestError: 3,
  WrongDocumentError: 4,
  InvalidCharacterError: 5,
  NoModificationAllowedError: 7,
  NotFoundError: 8,
  NotSupportedError: 9,
  InUseAttributeError: 10,
  InvalidStateError: 11,
  SyntaxError: 12,
  InvalidModificationError: 13,
  NamespaceError: 14,
  InvalidAccessError: 15,
  TypeMismatchError: 17,
  SecurityError: 18,
  NetworkError: 19,
  AbortError: 20,
  URLMismatchError: 21,
  QuotaExceededError: 22,
  TimeoutError: 23,
  InvalidNodeTypeError: 24,
  DataCloneError: 25,
};

/** Constant names such as `ABORT_ERR` that DOMException and its prototype carry. */
const DOM_EXCEPTION_CONSTANTS = {
  INDEX_SIZE_ERR: 1,
  DOMSTRING_SIZE_ERR: 2,
  HIERARCHY_REQUEST_ERR: 3,
  WRONG_DOCUMENT_ERR: 4,
  INVALID_CHARACTER_ERR: 5,
  NO_DATA_ALLOWED_ERR: 6,
  NO_MODIFICATION_ALLOWED_ERR: 7,
  NOT_FOUND_ERR: 8,
  NOT_SUPPORTED_ERR: 9,
  INUSE_ATTRIBUTE_ERR: 10,
  INVALID_STATE_ERR: 11,
  SYNTAX_ERR: 12,
  INVALID_MODIFICATION_ERR: 13,
  NAMESPACE_ERR: 14,
  INVALID_ACCESS_ERR: 15,
  VALIDATION_ERR: 16,
  TYPE_MISMATCH_ERR: 17,
  SECURITY_ERR: 18,
  NETWORK_ERR: 19,
  ABORT_ERR: 20,
  URL_MISMATCH_ERR: 21,
  QUOTA_EXCEEDED_ERR: 22,
  TIMEOUT_ERR: 23,
  INVALID_NODE_TYPE_ERR: 24,
  DATA_CLONE_ERR: 25,
};

// DOMException inherits from Error so that it has a stack and `instanceof Error` holds, as in V8.
// `name` and `message` are prototype getters, as Web IDL defines them, not own properties.
class DOMException extends Error {
  #name;
  #message;

  constructor(message = undefined, options = undefined) {
    super();
    // Start the stack at the caller, so it does not show this constructor's frame.
    Error.captureStackTrace(this, new.target);
    this.#message = message === undefined ? "" : String(message);
    if (options !== null && typeof options === "object") {
      this.#name = options.name === undefined ? "Error" : String(options.name);
      if ("cause" in options) {
        Object.defineProperty(this, "cause", {
          value: options.cause,
          writable: true,
          configurable: true,
          enumerable: false,
        });
      }
    } else {
      this.#name = options === undefined ? "Error" : String(options);
    }
  }

  get name() {
    return this.#name;
  }

  get message() {
    return this.#message;
  }

  get code() {
    return DOM_EXCEPTION_CODES[this.#name] ?? 0;
  }
}

for (const [constant, code] of Object.entries(DOM_EXCEPTION_CONSTANTS)) {
  const descriptor = { value: code, writable: false, enumerable: true, configurable: false };
  Object.defineProperty(DOMException, constant, descriptor);
  Object.defineProperty(DOMException.prototype, constant, descriptor);
}
Object.defineProperty(DOMException.prototype, Symbol.toStringTag, {
  value: "DOMException",
  configurable: true,
});

/** Message of the AbortError that `abort()` uses when no reason is given (workerd's text). */
const ABORT_MESSAGE = "The operation was aborted";

/** Message of the TimeoutError that `AbortSignal.timeout()` uses (workerd's text). */
const TIMEOUT_ABORT_MESSAGE = "The operation was aborted due to timeout";

// Set by the static block of Event: marks an event as dispatched by the runtime.
let setEventTrusted;
// Set by the static block of Event: the per-dispatch state EventTarget needs.
let beginEventDispatch;
let endEventDispatch;
let isEventStopped;

class Event {
  #type;
  #bubbles;
  #cancelable;
  #composed;
  #timeStamp;
  #trusted = false;
  #target = null;
  #dispatching = false;
  #canceled = false;
  #stopPropagation = false;
  #stopImmediatePropagation = false;

  static {
    setEventTrusted = (event) => {
      event.#trusted = true;
    };
    beginEventDispatch = (event, target) => {
      if (event.#dispatching) {
        throw new DOMException("The event is already being dispatched.", "InvalidStateError");
      }
      event.#dispatching = true;
      event.#target = target;
    };
    endEventDispatch = (event) => {
      event.#dispatching = false;
      event.#stopPropagation = false;
      event.#stopImmediatePropagation = false;
    };
    isEventStopped = (event) => event.#stopImmediatePropagation;
  }

  constructor(type, init = undefined) {
    if (arguments.length === 0) {
      throw new TypeError("Failed to construct 'Event': 1 argument required, but only 0 present.");
    }
    this.#type = String(type);
    const options = init ?? {};
    this.#bubbles = Boolean(options.bubbles);
    this.#cancelable = Boolean(options.cancelable);
    this.#composed = Boolean(options.composed);
    this.#timeStamp = Date.now();
  }

  get type() {
    return this.#type;
  }

  get target() {
    return this.#target;
  }

  get srcElement() {
    return this.#target;
  }

  // There is no event path outside a DOM tree, so the current target is the target while the
  // event is dispatched and null otherwise.
  get currentTarget() {
    return this.#dispatching ? this.#target : null;
  }

  get eventPhase() {
    return this.#dispatching ? Event.AT_TARGET : Event.NONE;
  }

  get bubbles() {
    return this.#bubbles;
  }

  get cancelable() {
    return this.#cancelable;
  }

  get composed() {
    return this.#composed;
  }

  get defaultPrevented() {
    return this.#canceled;
  }

  get returnValue() {
    return !this.#canceled;
  }

  set returnValue(value) {
    if (!value) {
      this.preventDefault();
    }
  }

  get cancelBubble() {
    return this.#stopPropagation;
  }

  set cancelBubble(value) {
    if (value) {
      this.#stopPropagation = true;
    }
  }

  get isTrusted() {
    return this.#trusted;
  }

  get timeStamp() {
    return this.#timeStamp;
  }

  composedPath() {
    return this.#dispatching ? [this.#target] : [];
  }

  stopPropagation() {
    this.#stopPropagation = true;
  }

  stopImmediatePropagation() {
    this.#stopPropagation = true;
    this.#stopImmediatePropagation = true;
  }

  preventDefault() {
    if (this.#cancelable) {
      this.#canceled = true;
    }
  }
}

for (const [phase, value] of [
  ["NONE", 0],
  ["CAPTURING_PHASE", 1],
  ["AT_TARGET", 2],
  ["BUBBLING_PHASE", 3],
]) {
  const descriptor = { value, writable: false, enumerable: true, configurable: false };
  Object.defineProperty(Event, phase, descriptor);
  Object.defineProperty(Event.prototype, phase, descriptor);
}
Object.defineProperty(Event.prototype, Symbol.toStringTag, { value: "Event", configurable: true });

class CustomEvent extends Event {
  #detail;

  constructor(type, init = undefined) {
    if (arguments.length === 0) {
      throw new TypeError(
        "Failed to construct 'CustomEvent': 1 argument required, but only 0 present.",
      );
    }
    super(type, init);
    this.#detail = init?.detail ?? null;
  }

  get detail() {
    return this.#detail;
  }
}
Object.defineProperty(CustomEvent.prototype, Symbol.toStringTag, {
  value: "CustomEvent",
  configurable: true,
});

class ErrorEvent extends Event {
  #message;
  #filename;
  #lineno;
  #colno;
  #error;

  constructor(type, init = undefined) {
    if (arguments.length === 0) {
      throw new TypeError(
        "Failed to construct 'ErrorEvent': 1 argument required, but only 0 present.",
      );
    }
    super(type, init);
    const options = init ?? {};
    this.#message = options.message === undefined ? "" : String(options.message);
    this.#filename = options.filename === undefined ? "" : String(options.filename);
    this.#lineno = options.lineno === undefined ? 0 : Number(options.lineno) >>> 0;
    this.#colno = options.colno === undefined ? 0 : Number(options.colno) >>> 0;
    // workerd reports null, the HTML standard's default, when no error is given.
    this.#error = options.error === undefined ? null : options.error;
  }

  get message() {
    return this.#message;
  }

  get filename() {
    return this.#filename;
  }

  get lineno() {
    return this.#lineno;
  }

  get colno() {
    return this.#colno;
  }

  get error() {
    return this.#error;
  }
}
Object.defineProperty(ErrorEvent.prototype, Symbol.toStringTag, {
  value: "ErrorEvent",
  configurable: true,
});

/**
 * Event handler attributes such as `onabort`, by target and event type. workerd calls the
 * attribute handler before the listeners added with addEventListener, and so does this runtime.
 */
const eventHandlerAttributes = new WeakMap();

function getEventHandlerAttribute(target, type) {
  return eventHandlerAttributes.get(target)?.get(type) ?? null;
}

function setEventHandlerAttribute(target, type, handler) {
  let handlers = eventHandlerAttributes.get(target);
  if (handlers === undefined) {
    handlers = new Map();
    eventHandlerAttributes.set(target, handlers);
  }
  // Like workerd, keep only functions and objects; anything else clears the handler.
  if (typeof handler === "function" || (typeof handler === "object" && handler !== null)) {
    handlers.set(type, handler);
  } else {
    handlers.delete(type);
  }
}

/** Reads the `capture` flag of addEventListener or removeEventListener options. */
function readCaptureOption(options) {
  if (typeof options === "boolean") {
    return options;
  }
  if (options !== null && typeof options === "object") {
    return Boolean(options.capture);
  }
  return false;
}

/** Calls a listener that is a function or an object with a `handleEvent` method. */
function invokeListener(callback, thisValue, event) {
  if (typeof callback === "function") {
    return callback.call(thisValue, event);
  }
  const handleEvent = callback.handleEvent;
  if (typeof handleEvent !== "function") {
    throw new TypeError("The event listener is neither a function nor an object with a handleEvent method.");
  }
  return handleEvent.call(callback, event);
}

// Set by the static block of EventTarget: drops every listener, as workerd does once an
// AbortSignal has fired.
let removeAllEventListeners;

class EventTarget {
  /** Listener records `{ callback, once, removed }` by event type, in insertion order. */
  #listeners = new Map();

  static {
    removeAllEventListeners = (target) => {
      for (const records of target.#listeners.values()) {
        for (const record of records) {
          record.removed = true;
        }
      }
      target.#listeners.clear();
    };
  }

  addEventListener(type, callback, options = undefined) {
    if (arguments.length < 2) {
      throw new TypeError(
        "Failed to execute 'addEventListener' on 'EventTarget': 2 arguments required.",
      );
    }
    type = String(type);
    if (callback === null || callback === undefined) {
      return;
    }
    if (typeof callback !== "function" && typeof callback !== "object") {
      throw new TypeError("The event listener must be a function or an object with a handleEvent method.");
    }

    // workerd rejects capturing and passive listeners instead of ignoring the flags.
    if (typeof options === "boolean" && options) {
      throw new TypeError("addEventListener(): useCapture must be false.");
    }
    let once = false;
    let signal = undefined;
    if (options !== null && typeof options === "object") {
      if (options.capture) {
        throw new TypeError("addEventListener(): options.capture must be false.");
      }
      if (options.passive) {
        throw new TypeError("addEventListener(): options.passive must be false.");
      }
      once = Boolean(options.once);
      signal = options.signal;
      if (signal !== undefined && !(signal instanceof AbortSignal)) {
        throw new TypeError("addEventListener(): options.signal must be an AbortSignal.");
      }
    }
    if (signal?.aborted) {
      return;
    }

    let records = this.#listeners.get(type);
    if (records === undefined) {
      records = [];
      this.#listeners.set(type, records);
    }
    if (records.some((record) => record.callback === callback)) {
      return;
    }
    records.push({ callback, once, removed: false });

    if (signal !== undefined) {
      signal.addEventListener("abort", () => this.removeEventListener(type, callback), {
        once: true,
      });
    }
  }

  removeEventListener(type, callback, options = undefined) {
    if (arguments.length < 2) {
      throw new TypeError(
        "Failed to execute 'removeEventListener' on 'EventTarget': 2 arguments required.",
      );
    }
    if (readCaptureOption(options)) {
      throw new TypeError("removeEventListener(): options.capture must be false.");
    }
    const records = this.#listeners.get(String(type));
    if (records === undefined) {
      return;
    }
    const index = records.findIndex((record) => record.callback === callback);
    if (index !== -1) {
      records[index].removed = true;
      records.splice(index, 1);
    }
  }

  dispatchEvent(event) {
    if (!(event instanceof Event)) {
      throw new TypeError(
        "Failed to execute 'dispatchEvent' on 'EventTarget': parameter 1 is not of type 'Event'.",
      );
    }
    beginEventDispatch(event, this);
    try {
      const type = event.type;
      const attributeHandler = getEventHandlerAttribute(this, type);
      if (attributeHandler !== null && typeof attributeHandler === "function") {
        const result = attributeHandler.call(this, event);
        if (result === false) {
          event.preventDefault();
        }
      }

      // Listeners added or removed by a listener do not change this dispatch, except that a
      // removed listener that has not run yet is skipped.
      const records = [...(this.#listeners.get(type) ?? [])];
      for (const record of records) {
        if (isEventStopped(event)) {
          break;
        }
        if (record.removed) {
          continue;
        }
        if (record.once) {
          this.removeEventListener(type, record.callback);
        }
        // NOTE: as in workerd, an exception from a listener ends the dispatch and propagates to
        // the caller of dispatchEvent(). The DOM standard reports it and calls the rest.
        const result = invokeListener(record.callback, this, event);
        // workerd treats a listener that returns true like one that calls preventDefault().
        if (result === true) {
          event.preventDefault();
        }
      }
    } finally {
      endEventDispatch(event);
    }
    return !event.defaultPrevented;
  }
}
Object.defineProperty(EventTarget.prototype, Symbol.toStringTag, {
  value: "EventTarget",
  configurable: true,
});

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
        reason === undefined ? new DOMException(ABORT_MESSAGE, "AbortError") : reason;
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
    // `setTimeout` is the bootstrap's own function from timers.js, which shares this module
    // scope, so a worker that replaces globalThis.setTimeout does not change this timer.
    setTimeout(() => {
      signalAbort(signal, new DOMException(TIMEOUT_ABORT_MESSAGE, "TimeoutError"));
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

defineGlobal("DOMException", DOMException);
defineGlobal("Event", Event);
defineGlobal("CustomEvent", CustomEvent);
defineGlobal("ErrorEvent", ErrorEvent);
defineGlobal("EventTarget", EventTarget);
defineGlobal("AbortSignal", AbortSignal);
defineGlobal("AbortController", AbortController);

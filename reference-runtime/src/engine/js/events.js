// Event, EventTarget, CustomEvent and ErrorEvent (HTML standard), following the WHATWG DOM
// standard except where workerd differs. Each difference is marked where it sits.
//
// A chunk: `engine/bootstrap.rs` wraps this file in `export default function (core) { ... }`, so
// the names below come from the core and the `return` at the end lists the chunk's exports.

const { createDOMException, isChunkInstance } = core;

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
        throw createDOMException("The event is already being dispatched.", "InvalidStateError");
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

const phaseDescriptor = { value: 0, writable: false, enumerable: true, configurable: false };
for (const [phase, value] of [
  ["NONE", 0],
  ["CAPTURING_PHASE", 1],
  ["AT_TARGET", 2],
  ["BUBBLING_PHASE", 3],
]) {
  phaseDescriptor.value = value;
  Object.defineProperty(Event, phase, phaseDescriptor);
  Object.defineProperty(Event.prototype, phase, phaseDescriptor);
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
      if (signal !== undefined && !isChunkInstance(signal, "abort", "AbortSignal")) {
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

return {
  Event,
  CustomEvent,
  ErrorEvent,
  EventTarget,
  setEventTrusted,
  beginEventDispatch,
  endEventDispatch,
  isEventStopped,
  removeAllEventListeners,
  getEventHandlerAttribute,
  setEventHandlerAttribute,
};

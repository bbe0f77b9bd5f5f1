// queueMicrotask, reportError, self and navigator. structuredClone is in structured-clone.js.

/** Returns the file, line and column of the first frame of an error's stack, if it has one. */
function errorLocation(error) {
  const stack = error !== null && typeof error === "object" ? error.stack : undefined;
  const match = typeof stack === "string" ? /\(?([^\s()]+):(\d+):(\d+)\)?\s*$/m.exec(stack) : null;
  if (match === null) {
    return { filename: "", lineno: 0, colno: 0 };
  }
  return { filename: match[1], lineno: Number(match[2]), colno: Number(match[3]) };
}

/**
 * Reports an exception as uncaught: dispatches a trusted ErrorEvent named "error" on the global
 * scope, then logs it. Like workerd, the event is not cancelable, so it is always logged.
 */
function reportError(error) {
  if (arguments.length === 0) {
    throw new TypeError("Failed to execute 'reportError': 1 argument required, but only 0 present.");
  }
  const { inspect } = requireChunk("console");
  const { ErrorEvent, setEventTrusted } = requireChunk("events");
  // Like workerd, the message names the error without its stack; the log line keeps the stack.
  const summary = error instanceof Error ? `${error.name}: ${error.message}` : inspect(error);
  const location = errorLocation(error);
  const event = new ErrorEvent("error", { message: `Uncaught ${summary}`, error, ...location });
  setEventTrusted(event);
  try {
    globalEventTarget().dispatchEvent(event);
  } catch (listenerError) {
    host.log("error", `Uncaught ${inspect(listenerError)} in an error event listener`);
  }
  host.log("error", `Uncaught ${inspect(error)}`);
}

function queueMicrotask(callback) {
  if (typeof callback !== "function") {
    throw new TypeError(
      "Failed to execute 'queueMicrotask': parameter 1 is not of type 'Function'.",
    );
  }
  // An exception in the callback is reported, as the HTML standard requires, rather than becoming
  // an unhandled rejection.
  Promise.resolve().then(() => {
    try {
      callback();
    } catch (error) {
      reportError(error);
    }
  });
}

class Navigator {
  get userAgent() {
    return "Cloudflare-Workers";
  }
}
Object.defineProperty(Navigator.prototype, Symbol.toStringTag, {
  value: "Navigator",
  configurable: true,
});

defineGlobal("queueMicrotask", queueMicrotask);
defineGlobal("reportError", reportError);
defineGlobal("self", globalThis);
defineGlobal("navigator", new Navigator());
defineGlobal("Navigator", Navigator);

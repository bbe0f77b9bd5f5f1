// The bootstrap's only export. The engine calls `install` once per isolate, before the worker's
// script runs, and keeps the returned hooks to drive requests and timers.

const CODE_GENERATION_MESSAGE = "Code generation from strings disallowed for this context";

function defineHidden(target, name, value) {
  Object.defineProperty(target, name, { value, writable: true, configurable: true, enumerable: false });
}

/** Makes `eval` and every Function constructor throw EvalError, as Workers does. */
function disallowCodeGeneration() {
  const disallowed = function Function() {
    throw new EvalError(CODE_GENERATION_MESSAGE);
  };
  const disallowedEval = function () {
    throw new EvalError(CODE_GENERATION_MESSAGE);
  };
  Object.defineProperty(disallowedEval, "name", { value: "eval" });
  defineHidden(globalThis, "eval", disallowedEval);

  const prototypes = [
    Function.prototype,
    Object.getPrototypeOf(async function () {}),
    Object.getPrototypeOf(function* () {}),
    Object.getPrototypeOf(async function* () {}),
  ];
  for (const prototype of prototypes) {
    defineHidden(prototype, "constructor", disallowed);
  }
  disallowed.prototype = Function.prototype;
  defineHidden(globalThis, "Function", disallowed);
}

/** Freezes time as Workers does: 0 at global scope, the time of the last I/O in a handler. */
function installClock() {
  const OriginalDate = Date;
  const FrozenDate = new Proxy(OriginalDate, {
    construct(target, args, newTarget) {
      const init = args.length === 0 ? [host.now()] : args;
      return Reflect.construct(target, init, newTarget);
    },
    apply() {
      return new OriginalDate(host.now()).toString();
    },
  });
  defineHidden(OriginalDate, "now", () => host.now());
  defineHidden(globalThis, "Date", FrozenDate);
  defineHidden(globalThis, "performance", {
    timeOrigin: 0,
    now: () => host.now(),
  });
}

// Global event listeners are on `globalEventTarget()`, except `fetch` listeners, which are kept
// apart because dispatch must see what they throw.
function installGlobalEvents() {
  defineHidden(globalThis, "addEventListener", function addEventListener(type, listener, options) {
    if (String(type) === "fetch") {
      if (listener !== null && listener !== undefined && !workerState.fetchListeners.includes(listener)) {
        workerState.fetchListeners.push(listener);
      }
      return;
    }
    globalEventTarget().addEventListener(type, listener, options);
  });
  defineHidden(globalThis, "removeEventListener", function removeEventListener(type, listener, options) {
    if (String(type) === "fetch") {
      workerState.fetchListeners = workerState.fetchListeners.filter((l) => l !== listener);
      return;
    }
    globalEventTarget().removeEventListener(type, listener, options);
  });
  defineHidden(globalThis, "dispatchEvent", function dispatchEvent(event) {
    return globalEventTarget().dispatchEvent(event);
  });
}

/**
 * Installs the globals and returns the engine's hooks. `config.syntax` is "module" or
 * "service-worker"; `config.bindings` maps binding names to values.
 */
export function install(nativeHost, config) {
  host = nativeHost;
  // An indexed loop, because destructuring each entry would create an iterator per global.
  for (let index = 0; index < globalDefinitions.length; index += 3) {
    const name = globalDefinitions[index];
    const chunkName = globalDefinitions[index + 2];
    if (chunkName === undefined) {
      defineHidden(globalThis, name, globalDefinitions[index + 1]);
    } else {
      defineLazyGlobal(name, chunkName);
    }
  }
  hideLazyGlobalAccessors();
  installGlobalEvents();
  installClock();
  disallowCodeGeneration();

  workerState.syntax = config.syntax;
  workerState.env = Object.assign({}, config.bindings);
  if (config.syntax === "service-worker") {
    for (const [name, value] of Object.entries(config.bindings)) {
      defineHidden(globalThis, name, value);
    }
  }

  return {
    dispatchFetch,
    // A timer or a fetch in flight implies that its chunk is loaded, so without the chunk there
    // is nothing to fire or complete.
    fireTimer(id) {
      loadedChunk("timers")?.fireTimer(id);
    },
    completeFetch(id, status, statusText, headerPairs, body, urlList) {
      loadedChunk("fetch")?.completeFetch(id, status, statusText, headerPairs, body, urlList);
    },
    failFetch(id, message) {
      loadedChunk("fetch")?.failFetch(id, message);
    },
    reportRejections(list) {
      requireChunk("rejections").reportRejections(list);
    },
    cancelStream,
    dropTimers(ids) {
      loadedChunk("timers")?.dropTimers(ids);
    },
    describeError,
    setModuleHandler(handler) {
      workerState.handler = handler;
    },
  };
}

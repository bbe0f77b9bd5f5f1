// Runs a service-worker script on a runtime that has no fetch events, such as Deno or Bun.
//
// This is a shim, not native behaviour: it implements only what a service worker needs to
// respond to a request. `respondWith` may be called once, only while the listeners run, and stops
// the listeners after the one that called it; `waitUntil` keeps nothing alive;
// `passThroughOnException` does nothing, because there is no origin to pass through to. A
// request that no listener answers fails as a thrown error, so the runtime's own error response
// is what the client sees.

class ShimFetchEvent extends Event {
  #response = undefined;
  #dispatching = true;

  constructor(request) {
    super('fetch', { cancelable: true });
    this.request = request;
  }

  respondWith(response) {
    if (!this.#dispatching) {
      throw new DOMException(
        'Too late to call FetchEvent.respondWith(). It must be called synchronously in the event handler.',
        'InvalidStateError',
      );
    }
    if (this.#response !== undefined) {
      throw new DOMException(
        'FetchEvent.respondWith() has already been called; it can only be called once.',
        'InvalidStateError',
      );
    }
    this.#response = Promise.resolve(response);
  }

  get responded() {
    return this.#response !== undefined;
  }

  waitUntil(promise) {
    Promise.resolve(promise).catch(() => {});
  }

  passThroughOnException() {}

  finishDispatch() {
    this.#dispatching = false;
    return this.#response;
  }
}

// Evaluates `source` as a classic script in the global scope, with each binding as a global,
// and returns a handler that turns a Request into a Promise of a Response.
export function loadServiceWorker(source, bindings) {
  const listeners = [];
  const addNative = globalThis.addEventListener?.bind(globalThis);
  globalThis.addEventListener = (type, listener, options) => {
    if (type === 'fetch') {
      listeners.push(listener);
    } else if (addNative) {
      addNative(type, listener, options);
    }
  };
  if (globalThis.FetchEvent === undefined) {
    globalThis.FetchEvent = ShimFetchEvent;
  }
  for (const [name, value] of Object.entries(bindings)) {
    globalThis[name] = value;
  }

  // Indirect eval runs the script as a classic script in the global scope, as a service
  // worker runs, rather than as a module.
  (0, eval)(source);

  return async (request) => {
    const event = new ShimFetchEvent(request);
    for (const listener of listeners) {
      if (event.responded) {
        break;
      }
      if (typeof listener === 'function') {
        listener.call(globalThis, event);
      } else {
        listener.handleEvent(event);
      }
    }
    const response = event.finishDispatch();
    if (response === undefined) {
      throw new Error('no fetch listener called respondWith()');
    }
    return response;
  };
}

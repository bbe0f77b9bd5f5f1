// The `unhandledrejection` and `rejectionhandled` events. The engine records what QuickJS's
// rejection tracker reports while JS runs and hands the list over once the job queue is empty.
//
// A chunk: `engine/bootstrap.rs` wraps this file in `export default function (core) { ... }`, so
// the names below come from the core and the `return` at the end lists the chunk's exports.

const { describeError, globalEventTarget, host, requireChunk } = core;
const { Event, setEventTrusted } = requireChunk("events");

class PromiseRejectionEvent extends Event {
  #promise;
  #reason;

  constructor(type, init = undefined) {
    super(type, init);
    if (init === undefined || init === null || !("promise" in init)) {
      throw new TypeError(
        "Failed to construct 'PromiseRejectionEvent': required member promise is undefined.",
      );
    }
    this.#promise = init.promise;
    this.#reason = init.reason;
  }

  get promise() {
    return this.#promise;
  }

  get reason() {
    return this.#reason;
  }
}

/** Rejected promises already reported as unhandled, so a late handler fires `rejectionhandled`. */
const reportedRejections = new WeakSet();

/** Takes `[promise, reason, handled, ...]` in the order the tracker saw them. */
function reportRejections(list) {
  const unhandled = new Map();
  for (let i = 0; i + 2 < list.length; i += 3) {
    const [promise, reason, handled] = [list[i], list[i + 1], list[i + 2]];
    if (!handled) {
      unhandled.set(promise, reason);
    } else if (unhandled.has(promise)) {
      unhandled.delete(promise);
    } else if (reportedRejections.has(promise)) {
      reportedRejections.delete(promise);
      const event = new PromiseRejectionEvent("rejectionhandled", { promise, reason });
      setEventTrusted(event);
      globalEventTarget().dispatchEvent(event);
    }
  }

  for (const [promise, reason] of unhandled) {
    reportedRejections.add(promise);
    const event = new PromiseRejectionEvent("unhandledrejection", {
      promise,
      reason,
      cancelable: true,
    });
    setEventTrusted(event);
    globalEventTarget().dispatchEvent(event);
    if (!event.defaultPrevented) {
      host.log("error", `Uncaught (in promise) ${describeError(reason)}`);
    }
  }
}

return { PromiseRejectionEvent, reportRejections };

// structuredClone (HTML standard), for the types a worker can hold.
//
// A chunk: `engine/bootstrap.rs` wraps this file in `export default function (core) { ... }`, so
// the names below come from the core and the `return` at the end lists the chunk's exports.

const { Headers, Request, Response, createDOMException, isChunkInstance } = core;

/** Error constructors that structured cloning keeps; any other error becomes a plain Error. */
const CLONEABLE_ERRORS = {
  Error,
  EvalError,
  RangeError,
  ReferenceError,
  SyntaxError,
  TypeError,
  URIError,
};

/** Describes a value for a DataCloneError message, as V8's "... could not be cloned." does. */
function describeUncloneable(value) {
  if (typeof value === "function") {
    try {
      return Function.prototype.toString.call(value);
    } catch {
      return "function";
    }
  }
  if (typeof value === "symbol") {
    return value.toString();
  }
  const name = Object.getPrototypeOf(value)?.constructor?.name;
  return `#<${typeof name === "string" && name !== "" ? name : "Object"}>`;
}

function throwDataCloneError(value) {
  throw createDOMException(`${describeUncloneable(value)} could not be cloned.`, "DataCloneError");
}

/** Classes of the core and built-in classes that structured cloning rejects. */
const UNCLONEABLE_CLASSES = [Headers, Request, Response, WeakMap, WeakSet, WeakRef, Promise];

/**
 * Classes of chunks that structured cloning rejects, as `[chunk, class]`. Together with
 * UNCLONEABLE_CLASSES, these are the runtime's platform objects.
 */
const UNCLONEABLE_CHUNK_CLASSES = [
  ["url", "URL"],
  ["url", "URLSearchParams"],
  ["blob", "FormData"],
  ["blob", "Blob"],
  ["streams", "ReadableStream"],
  ["streams", "WritableStream"],
  ["streams", "TransformStream"],
  ["abort", "AbortSignal"],
  ["abort", "AbortController"],
  ["events", "EventTarget"],
  ["events", "Event"],
  ["encoding", "TextEncoder"],
  ["encoding", "TextDecoder"],
];

/**
 * The HTML standard's structured clone for the types a worker can hold: primitives, wrapper
 * objects, Date, RegExp, ArrayBuffer and its views, Map, Set, arrays, plain objects, the
 * standard Error types and DOMException. `memory` maps each source object to its copy, which
 * keeps cycles and shared references. `transferred` contains the ArrayBuffers to move, not copy.
 */
function cloneValue(value, memory, transferred) {
  if (typeof value === "symbol" || typeof value === "function") {
    throwDataCloneError(value);
  }
  if (value === null || typeof value !== "object") {
    return value;
  }
  if (memory.has(value)) {
    return memory.get(value);
  }

  if (value instanceof ArrayBuffer) {
    const copy = transferred.has(value) ? value.transfer() : value.slice(0);
    memory.set(value, copy);
    return copy;
  }
  if (ArrayBuffer.isView(value)) {
    const buffer = cloneValue(value.buffer, memory, transferred);
    const View = value.constructor;
    const copy =
      value instanceof DataView
        ? new DataView(buffer, value.byteOffset, value.byteLength)
        : new View(buffer, value.byteOffset, value.length);
    memory.set(value, copy);
    return copy;
  }
  if (value instanceof Date) {
    const copy = new Date(value.getTime());
    memory.set(value, copy);
    return copy;
  }
  if (value instanceof RegExp) {
    const copy = new RegExp(value.source, value.flags);
    memory.set(value, copy);
    return copy;
  }
  if (value instanceof Boolean || value instanceof Number || value instanceof String) {
    const copy = Object(value.valueOf());
    memory.set(value, copy);
    return copy;
  }
  if (typeof BigInt === "function" && value instanceof BigInt) {
    const copy = Object(value.valueOf());
    memory.set(value, copy);
    return copy;
  }
  if (isChunkInstance(value, "dom-exception", "DOMException")) {
    const copy = createDOMException(value.message, value.name);
    memory.set(value, copy);
    return copy;
  }
  if (value instanceof Error) {
    const name = value.name;
    const ErrorClass = Object.hasOwn(CLONEABLE_ERRORS, name) ? CLONEABLE_ERRORS[name] : Error;
    const copy = new ErrorClass();
    memory.set(value, copy);
    const message = Object.getOwnPropertyDescriptor(value, "message");
    if (message !== undefined && "value" in message) {
      Object.defineProperty(copy, "message", {
        value: String(message.value),
        writable: true,
        configurable: true,
        enumerable: false,
      });
    }
    if (typeof value.stack === "string") {
      Object.defineProperty(copy, "stack", {
        value: value.stack,
        writable: true,
        configurable: true,
        enumerable: false,
      });
    }
    if (Object.hasOwn(value, "cause")) {
      Object.defineProperty(copy, "cause", {
        value: cloneValue(value.cause, memory, transferred),
        writable: true,
        configurable: true,
        enumerable: false,
      });
    }
    return copy;
  }
  if (value instanceof Map) {
    const copy = new Map();
    memory.set(value, copy);
    for (const [key, entry] of [...value]) {
      copy.set(cloneValue(key, memory, transferred), cloneValue(entry, memory, transferred));
    }
    return copy;
  }
  if (value instanceof Set) {
    const copy = new Set();
    memory.set(value, copy);
    for (const entry of [...value]) {
      copy.add(cloneValue(entry, memory, transferred));
    }
    return copy;
  }
  for (const uncloneable of UNCLONEABLE_CLASSES) {
    if (value instanceof uncloneable) {
      throwDataCloneError(value);
    }
  }
  for (const [chunkName, className] of UNCLONEABLE_CHUNK_CLASSES) {
    if (isChunkInstance(value, chunkName, className)) {
      throwDataCloneError(value);
    }
  }

  // Arrays keep their length (and so their holes); any other object becomes a plain object.
  const copy = Array.isArray(value) ? new Array(value.length) : {};
  memory.set(value, copy);
  for (const key of Object.keys(value)) {
    copy[key] = cloneValue(value[key], memory, transferred);
  }
  return copy;
}

function structuredClone(value, options = undefined) {
  if (arguments.length === 0) {
    throw new TypeError(
      "Failed to execute 'structuredClone': 1 argument required, but only 0 present.",
    );
  }
  const transferred = new Set();
  const transfer = options?.transfer;
  if (transfer !== undefined) {
    if (transfer === null || typeof transfer !== "object" || !(Symbol.iterator in transfer)) {
      throw new TypeError("The transfer option of structuredClone() must be an array.");
    }
    for (const item of transfer) {
      if (!(item instanceof ArrayBuffer)) {
        throwDataCloneError(item);
      }
      if (transferred.has(item)) {
        throw createDOMException(
          "An ArrayBuffer is listed in the transfer list twice.",
          "DataCloneError",
        );
      }
      transferred.add(item);
    }
  }
  const memory = new Map();
  const result = cloneValue(value, memory, transferred);
  // A listed buffer that the value does not reach is still detached, as the standard requires.
  for (const buffer of transferred) {
    if (!memory.has(buffer)) {
      buffer.transfer();
    }
  }
  return result;
}

return { structuredClone };

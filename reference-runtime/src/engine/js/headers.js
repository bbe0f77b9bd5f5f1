// Headers (WHATWG Fetch standard), with workerd's differences: no forbidden header names, and
// values may hold any Unicode text, which goes on the wire as UTF-8.

const INVALID_HEADER_NAME_MESSAGE = "Invalid header name.";
const INVALID_HEADER_VALUE_MESSAGE = "Invalid header value.";
const IMMUTABLE_HEADERS_MESSAGE = "Can't modify immutable headers.";

/** A header name must be an HTTP token: one or more of these characters (RFC 9110). */
const HTTP_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** HTTP whitespace: tab, line feed, carriage return and space. */
const HTTP_WHITESPACE_EDGES = /^[\t\n\r ]+|[\t\n\r ]+$/g;

/** Returns the lowercase form of a valid header name, or throws a TypeError. */
function normalizeHeaderName(name) {
  const text = String(name);
  if (!HTTP_TOKEN.test(text)) {
    throw new TypeError(INVALID_HEADER_NAME_MESSAGE);
  }
  return text.toLowerCase();
}

/** Strips leading and trailing HTTP whitespace and rejects NUL, CR and LF inside the value. */
function normalizeHeaderValue(value) {
  const text = String(value).toWellFormed().replace(HTTP_WHITESPACE_EDGES, "");
  if (/[\0\r\n]/.test(text)) {
    throw new TypeError(INVALID_HEADER_VALUE_MESSAGE);
  }
  return text;
}

/**
 * Runs the Fetch standard's "sort and combine": returns `[name, value]` pairs sorted by name,
 * with the values of a repeated name joined by ", ", except `set-cookie`, whose values stay apart.
 */
function sortAndCombineHeaders(list) {
  const names = [...new Set(list.map((entry) => entry[0]))].sort();
  const result = [];
  for (const name of names) {
    if (name === "set-cookie") {
      for (const [entryName, value] of list) {
        if (entryName === name) {
          result.push([name, value]);
        }
      }
    } else {
      const values = list.filter((entry) => entry[0] === name).map((entry) => entry[1]);
      result.push([name, values.join(", ")]);
    }
  }
  return result;
}

const HEADERS_ITERATOR_PROTOTYPE = createIteratorPrototype("Headers Iterator");

// Set by the static block of Headers, for Request, Response and the engine.
let headerList;
let headersGuard;
let setHeadersGuard;
let appendHeaderUnchecked;

class Headers {
  /** The header list: `[lowercaseName, value]` pairs in insertion order. */
  #list = [];
  /** "none", or "immutable" for the headers of incoming requests and of redirects. */
  #guard = "none";

  static {
    headerList = (headers) => headers.#list;
    headersGuard = (headers) => headers.#guard;
    setHeadersGuard = (headers, guard) => {
      headers.#guard = guard;
    };
    // Appends a pair that is already normalized, skipping validation and the guard.
    appendHeaderUnchecked = (headers, name, value) => {
      headers.#list.push([name, value]);
    };
  }

  constructor(init = undefined) {
    if (init === undefined) {
      return;
    }
    if (init === null || (typeof init !== "object" && typeof init !== "function")) {
      throw new TypeError(
        "Failed to construct 'Headers': The provided value is not of type " +
          "'(record<ByteString, ByteString> or sequence<sequence<ByteString>>)'.",
      );
    }
    // Like workerd, copy another Headers object directly instead of iterating it.
    if (init instanceof Headers) {
      this.#list = init.#list.map((entry) => [entry[0], entry[1]]);
      return;
    }
    if (init[Symbol.iterator] !== undefined) {
      for (const pair of init) {
        const items = pair !== null && typeof pair === "object" ? [...pair] : [];
        if (items.length !== 2) {
          throw new TypeError(
            "To initialize a Headers object from a sequence, each inner sequence must have " +
              "exactly two elements.",
          );
        }
        this.append(items[0], items[1]);
      }
      return;
    }
    for (const key of Reflect.ownKeys(init)) {
      const descriptor = Reflect.getOwnPropertyDescriptor(init, key);
      if (typeof key === "string" && descriptor !== undefined && descriptor.enumerable) {
        this.append(key, init[key]);
      }
    }
  }

  #checkMutable() {
    if (this.#guard === "immutable") {
      throw new TypeError(IMMUTABLE_HEADERS_MESSAGE);
    }
  }

  append(name, value) {
    if (arguments.length < 2) {
      throw new TypeError("Failed to execute 'append' on 'Headers': 2 arguments required.");
    }
    const key = normalizeHeaderName(name);
    const text = normalizeHeaderValue(value);
    this.#checkMutable();
    this.#list.push([key, text]);
  }

  delete(name) {
    const key = normalizeHeaderName(name);
    this.#checkMutable();
    this.#list = this.#list.filter((entry) => entry[0] !== key);
  }

  get(name) {
    const key = normalizeHeaderName(name);
    const values = this.#list.filter((entry) => entry[0] === key).map((entry) => entry[1]);
    return values.length === 0 ? null : values.join(", ");
  }

  getSetCookie() {
    return this.#list.filter((entry) => entry[0] === "set-cookie").map((entry) => entry[1]);
  }

  /** Returns the Set-Cookie values: workerd's legacy form of getSetCookie(), for no other name. */
  getAll(name) {
    if (normalizeHeaderName(name) !== "set-cookie") {
      throw new TypeError('getAll() can only be used with the header name "Set-Cookie".');
    }
    return this.getSetCookie();
  }

  has(name) {
    const key = normalizeHeaderName(name);
    return this.#list.some((entry) => entry[0] === key);
  }

  set(name, value) {
    if (arguments.length < 2) {
      throw new TypeError("Failed to execute 'set' on 'Headers': 2 arguments required.");
    }
    const key = normalizeHeaderName(name);
    const text = normalizeHeaderValue(value);
    this.#checkMutable();
    const index = this.#list.findIndex((entry) => entry[0] === key);
    if (index === -1) {
      this.#list.push([key, text]);
      return;
    }
    this.#list[index] = [key, text];
    this.#list = this.#list.filter((entry, position) => position <= index || entry[0] !== key);
  }

  forEach(callback, thisArg = undefined) {
    if (typeof callback !== "function") {
      throw new TypeError("Failed to execute 'forEach' on 'Headers': parameter 1 is not a function.");
    }
    for (const [name, value] of sortAndCombineHeaders(this.#list)) {
      callback.call(thisArg, value, name, this);
    }
  }

  // Like workerd and Chrome, each iterator walks a sorted copy taken when it is created.
  entries() {
    return this.#iterator("entry");
  }

  keys() {
    return this.#iterator("key");
  }

  values() {
    return this.#iterator("value");
  }

  #iterator(kind) {
    const snapshot = sortAndCombineHeaders(this.#list);
    return createPairIterator(HEADERS_ITERATOR_PROTOTYPE, (index) => snapshot[index], kind);
  }
}
Object.defineProperty(Headers.prototype, Symbol.iterator, {
  value: Headers.prototype.entries,
  writable: true,
  configurable: true,
});
Object.defineProperty(Headers.prototype, Symbol.toStringTag, {
  value: "Headers",
  configurable: true,
});

/** Creates a Headers object from normalized `[name, value]` pairs with the given guard. */
function createHeaders(pairs, guard) {
  const headers = new Headers();
  for (const [name, value] of pairs) {
    appendHeaderUnchecked(headers, name, value);
  }
  setHeadersGuard(headers, guard);
  return headers;
}

/** Returns a copy of a Headers object with the same list and guard. */
function cloneHeaders(headers) {
  return createHeaders(headerList(headers), headersGuard(headers));
}

defineGlobal("Headers", Headers);

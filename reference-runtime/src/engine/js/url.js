// URL and URLSearchParams (WHATWG URL standard). Parsing, the setters and the
// application/x-www-form-urlencoded format run in Rust; see natives/url.rs.
//
// A chunk: `engine/bootstrap.rs` wraps this file in `export default function (core) { ... }`, so
// the names below come from the core and the `return` at the end lists the chunk's exports.

const {
  createIteratorPrototype,
  createPairIterator,
  host,
  parseURLComponents,
  toUSVString,
} = core;

/** Message of the TypeError for a string that does not parse as a URL (workerd's text). */
const INVALID_URL_MESSAGE = "Invalid URL string.";

/** Splits a query string (without its `?`) into `[name, value]` pairs. */
function decodeFormPairs(query) {
  const flat = host.formDecode(query);
  const pairs = [];
  for (let index = 0; index < flat.length; index += 2) {
    pairs.push([flat[index], flat[index + 1]]);
  }
  return pairs;
}

/** Serializes `[name, value]` pairs as application/x-www-form-urlencoded. */
function encodeFormPairs(pairs) {
  const flat = [];
  for (const [name, value] of pairs) {
    flat.push(name, value);
  }
  return host.formEncode(flat);
}

const URL_SEARCH_PARAMS_ITERATOR_PROTOTYPE = createIteratorPrototype("URLSearchParams Iterator");

// Set by the static block of URLSearchParams: ties a URLSearchParams to the URL it belongs to.
let attachSearchParams;
let replaceSearchParamsList;

class URLSearchParams {
  /** The list of `[name, value]` pairs, in order. */
  #list = [];
  /** Called with the serialized list after every change, for a URL's `searchParams`. */
  #onUpdate = null;

  static {
    attachSearchParams = (params, onUpdate) => {
      params.#onUpdate = onUpdate;
    };
    replaceSearchParamsList = (params, query) => {
      params.#list = query === "" ? [] : decodeFormPairs(query);
    };
  }

  constructor(init = "") {
    if (init !== null && (typeof init === "object" || typeof init === "function")) {
      if (init[Symbol.iterator] !== undefined) {
        for (const pair of init) {
          if (pair === null || (typeof pair !== "object" && typeof pair !== "function")) {
            throw new TypeError("Invalid URL search params sequence.");
          }
          const items = [...pair];
          if (items.length !== 2) {
            throw new TypeError("Invalid URL search params sequence.");
          }
          this.#list.push([toUSVString(items[0]), toUSVString(items[1])]);
        }
      } else {
        // A record is read from its own enumerable string keys. A key that repeats after
        // USVString conversion replaces the earlier value, as Web IDL's record conversion does.
        const record = new Map();
        for (const key of Reflect.ownKeys(init)) {
          if (typeof key !== "string") {
            continue;
          }
          const descriptor = Reflect.getOwnPropertyDescriptor(init, key);
          if (descriptor === undefined || !descriptor.enumerable) {
            continue;
          }
          record.set(toUSVString(key), toUSVString(init[key]));
        }
        this.#list = [...record];
      }
    } else {
      let query = toUSVString(init);
      if (query.startsWith("?")) {
        query = query.slice(1);
      }
      this.#list = decodeFormPairs(query);
    }
  }

  #update() {
    if (this.#onUpdate !== null) {
      this.#onUpdate(encodeFormPairs(this.#list));
    }
  }

  get size() {
    return this.#list.length;
  }

  append(name, value) {
    if (arguments.length < 2) {
      throw new TypeError("Failed to execute 'append' on 'URLSearchParams': 2 arguments required.");
    }
    this.#list.push([toUSVString(name), toUSVString(value)]);
    this.#update();
  }

  delete(name, value = undefined) {
    name = toUSVString(name);
    if (value === undefined) {
      this.#list = this.#list.filter((entry) => entry[0] !== name);
    } else {
      value = toUSVString(value);
      this.#list = this.#list.filter((entry) => entry[0] !== name || entry[1] !== value);
    }
    this.#update();
  }

  get(name) {
    name = toUSVString(name);
    const entry = this.#list.find((pair) => pair[0] === name);
    return entry === undefined ? null : entry[1];
  }

  getAll(name) {
    name = toUSVString(name);
    return this.#list.filter((entry) => entry[0] === name).map((entry) => entry[1]);
  }

  has(name, value = undefined) {
    name = toUSVString(name);
    if (value === undefined) {
      return this.#list.some((entry) => entry[0] === name);
    }
    value = toUSVString(value);
    return this.#list.some((entry) => entry[0] === name && entry[1] === value);
  }

  set(name, value) {
    if (arguments.length < 2) {
      throw new TypeError("Failed to execute 'set' on 'URLSearchParams': 2 arguments required.");
    }
    name = toUSVString(name);
    value = toUSVString(value);
    const index = this.#list.findIndex((entry) => entry[0] === name);
    if (index === -1) {
      this.#list.push([name, value]);
    } else {
      this.#list[index] = [name, value];
      this.#list = this.#list.filter((entry, position) => position <= index || entry[0] !== name);
    }
    this.#update();
  }

  // A stable sort by name that compares UTF-16 code units, which is what `<` on strings does.
  sort() {
    const indexed = this.#list.map((entry, index) => ({ entry, index }));
    indexed.sort((a, b) => {
      if (a.entry[0] < b.entry[0]) {
        return -1;
      }
      if (a.entry[0] > b.entry[0]) {
        return 1;
      }
      return a.index - b.index;
    });
    this.#list = indexed.map((item) => item.entry);
    this.#update();
  }

  forEach(callback, thisArg = undefined) {
    if (typeof callback !== "function") {
      throw new TypeError(
        "Failed to execute 'forEach' on 'URLSearchParams': parameter 1 is not a function.",
      );
    }
    for (let index = 0; index < this.#list.length; index++) {
      const [name, value] = this.#list[index];
      callback.call(thisArg, value, name, this);
    }
  }

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
    return createPairIterator(URL_SEARCH_PARAMS_ITERATOR_PROTOTYPE, (index) => this.#list[index], kind);
  }

  toString() {
    return encodeFormPairs(this.#list);
  }
}
Object.defineProperty(URLSearchParams.prototype, Symbol.iterator, {
  value: URLSearchParams.prototype.entries,
  writable: true,
  configurable: true,
});
Object.defineProperty(URLSearchParams.prototype, Symbol.toStringTag, {
  value: "URLSearchParams",
  configurable: true,
});

class URL {
  /** The URL's getters as computed by the Rust parser: href, origin, protocol, ..., hash. */
  #components;
  #searchParams;

  constructor(url, base = undefined) {
    if (arguments.length === 0) {
      throw new TypeError("Failed to construct 'URL': 1 argument required, but only 0 present.");
    }
    const components = parseURLComponents(url, base);
    if (components === null) {
      throw new TypeError(INVALID_URL_MESSAGE);
    }
    this.#components = components;
    this.#searchParams = new URLSearchParams(components.search);
    attachSearchParams(this.#searchParams, (serialized) => {
      // An empty list clears the query entirely, so no lone "?" is left behind.
      this.#components = host.urlSet(this.#components.href, "search", serialized);
    });
  }

  static canParse(url, base = undefined) {
    return parseURLComponents(url, base) !== null;
  }

  static parse(url, base = undefined) {
    if (parseURLComponents(url, base) === null) {
      return null;
    }
    return base === undefined ? new URL(url) : new URL(url, base);
  }

  static createObjectURL() {
    throw new Error("URL.createObjectURL() is not implemented");
  }

  static revokeObjectURL() {
    throw new Error("URL.revokeObjectURL() is not implemented");
  }

  #set(name, value) {
    this.#components = host.urlSet(this.#components.href, name, toUSVString(value));
  }

  get href() {
    return this.#components.href;
  }

  set href(value) {
    const components = parseURLComponents(value, undefined);
    if (components === null) {
      throw new TypeError(INVALID_URL_MESSAGE);
    }
    this.#components = components;
    replaceSearchParamsList(this.#searchParams, components.search.slice(1));
  }

  get origin() {
    return this.#components.origin;
  }

  get protocol() {
    return this.#components.protocol;
  }

  set protocol(value) {
    this.#set("protocol", value);
  }

  get username() {
    return this.#components.username;
  }

  set username(value) {
    this.#set("username", value);
  }

  get password() {
    return this.#components.password;
  }

  set password(value) {
    this.#set("password", value);
  }

  get host() {
    return this.#components.host;
  }

  set host(value) {
    this.#set("host", value);
  }

  get hostname() {
    return this.#components.hostname;
  }

  set hostname(value) {
    this.#set("hostname", value);
  }

  get port() {
    return this.#components.port;
  }

  set port(value) {
    this.#set("port", value);
  }

  get pathname() {
    return this.#components.pathname;
  }

  set pathname(value) {
    this.#set("pathname", value);
  }

  get search() {
    return this.#components.search;
  }

  set search(value) {
    this.#set("search", value);
    replaceSearchParamsList(this.#searchParams, this.#components.search.slice(1));
  }

  get searchParams() {
    return this.#searchParams;
  }

  get hash() {
    return this.#components.hash;
  }

  set hash(value) {
    this.#set("hash", value);
  }

  toString() {
    return this.#components.href;
  }

  toJSON() {
    return this.#components.href;
  }
}
Object.defineProperty(URL.prototype, Symbol.toStringTag, { value: "URL", configurable: true });

return { URL, URLSearchParams, decodeFormPairs };

// Request (WHATWG Fetch standard) with the Workers additions `cf` and workerd's rules for
// `redirect` and `cache`.

/** Methods that the Fetch standard uppercases. Any other method keeps its case. */
const NORMALIZED_METHODS = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"];

/** Methods that the Fetch standard forbids in a Request. */
const FORBIDDEN_METHODS = ["CONNECT", "TRACE", "TRACK"];

const GET_HEAD_BODY_MESSAGE = "Request with a GET or HEAD method cannot have a body.";

const REDIRECT_MESSAGE =
  'Invalid redirect value, must be one of "follow" or "manual" ("error" won\'t be implemented ' +
  'since it does not make sense at the edge; use "manual" and check the response status code).';

/** Validates and normalizes a method name, as the Request constructor's `init.method` step. */
function normalizeMethod(value) {
  const method = String(value);
  if (!HTTP_TOKEN.test(method)) {
    throw new TypeError(`Invalid HTTP method string: ${method}`);
  }
  const upper = method.toUpperCase();
  if (FORBIDDEN_METHODS.includes(upper)) {
    throw new TypeError(`Forbidden HTTP method: ${method}`);
  }
  return NORMALIZED_METHODS.includes(upper) ? upper : method;
}

/** Parses a redirect mode. workerd accepts "follow" and "manual" in any case. */
function parseRedirectMode(value) {
  const mode = String(value).toLowerCase();
  if (mode !== "follow" && mode !== "manual") {
    throw new TypeError(REDIRECT_MESSAGE);
  }
  return mode;
}

/** Cache modes that workerd accepts in RequestInit. Any other mode is a TypeError. */
const CACHE_MODES = ["no-store", "no-cache", "reload"];

/** Deep-copies a `cf` object so a Request never shares it with its init or its clone. */
function cloneCf(cf) {
  if (cf === undefined || cf === null) {
    return undefined;
  }
  if (typeof cf !== "object") {
    throw new TypeError("The cf property of a Request must be an object.");
  }
  return requireChunk("structured-clone").structuredClone(cf);
}

// Set by the static block of Request.
let requestBody;
let requestHeaders;
let createIncomingRequest;

/** Token that lets module code build a Request without running the constructor's checks. */
const REQUEST_INTERNAL_TOKEN = Symbol("Request internal token");

class Request {
  #method = "GET";
  #url = "";
  #headers;
  #body;
  #redirect = "follow";
  /** The signal from the input or init, or null, in which case the `signal` getter makes one. */
  #signal = null;
  #cf = undefined;
  #cache = undefined;

  static {
    requestBody = (request) => request.#body;
    requestHeaders = (request) => request.#headers;
    createIncomingRequest = (method, url, headers, bytes, cf) => {
      const request = new Request(REQUEST_INTERNAL_TOKEN);
      request.#method = method;
      request.#url = url;
      request.#headers = headers;
      request.#body = createBodyState(bytes);
      request.#cf = cf;
      return request;
    };
  }

  constructor(input, init = undefined) {
    claimForCurrentRequest(this);
    if (input === REQUEST_INTERNAL_TOKEN) {
      return;
    }
    if (arguments.length === 0) {
      throw new TypeError("Failed to construct 'Request': 1 argument required, but only 0 present.");
    }
    const options = init ?? {};
    if (typeof options !== "object" && typeof options !== "function") {
      throw new TypeError("Failed to construct 'Request': the init argument must be an object.");
    }

    // Web IDL reads dictionary members in alphabetical order.
    const initBody = options.body;
    const initCache = options.cache;
    const initCf = options.cf;
    const initHeaders = options.headers;
    const initIntegrity = options.integrity;
    const initMethod = options.method;
    const initRedirect = options.redirect;
    const initSignal = options.signal;

    let inheritedBody = null;
    if (input instanceof Request) {
      assertSameRequest(input, "Request");
      this.#url = input.#url;
      this.#method = input.#method;
      this.#headers = cloneHeaders(input.#headers);
      setHeadersGuard(this.#headers, "none");
      this.#cf = cloneCf(input.#cf);
      this.#redirect = input.#redirect;
      this.#signal = input.#signal;
      this.#cache = input.#cache;
      // A body in init replaces the input's body, which is then left unread, as in workerd.
      if (initBody === undefined && !bodyIsNull(input.#body)) {
        if (bodyIsUsed(input.#body)) {
          throw new TypeError("Cannot reconstruct a Request with a used body.");
        }
        inheritedBody = input.#body;
      }
    } else {
      const parsed = parseURLComponents(input, undefined);
      if (parsed === null) {
        throw new TypeError(`Invalid URL: ${String(input)}`);
      }
      this.#url = parsed.href;
      this.#headers = new Headers();
    }

    if (initIntegrity !== undefined && String(initIntegrity) !== "") {
      throw new TypeError(
        "Subrequest integrity checking is not implemented. The integrity option must be " +
          "either undefined or an empty string.",
      );
    }
    if (initMethod !== undefined) {
      this.#method = normalizeMethod(initMethod);
    }
    if (initHeaders !== undefined) {
      this.#headers = new Headers(initHeaders);
    }
    if (initSignal !== undefined) {
      if (initSignal !== null && !isChunkInstance(initSignal, "abort", "AbortSignal")) {
        throw new TypeError("Failed to construct 'Request': member signal is not of type AbortSignal.");
      }
      this.#signal = initSignal;
    }
    if (initCf !== undefined) {
      this.#cf = cloneCf(initCf);
    }
    if (initRedirect !== undefined) {
      this.#redirect = parseRedirectMode(initRedirect);
    }
    if (initCache !== undefined) {
      const cache = String(initCache);
      if (!CACHE_MODES.includes(cache)) {
        throw new TypeError(`Unsupported cache mode: ${cache}`);
      }
      this.#cache = cache;
    }

    let body = createBodyState(null);
    if (initBody !== undefined && initBody !== null) {
      const extracted = extractBody(initBody);
      if (this.#method === "GET" || this.#method === "HEAD") {
        throw new TypeError(GET_HEAD_BODY_MESSAGE);
      }
      body = extracted.state;
      applyBodyContentType(this.#headers, extracted.contentType);
    } else if (inheritedBody !== null) {
      // A GET or HEAD request that came in with a body may be rewritten, but not turned into one.
      if (initMethod !== undefined && (this.#method === "GET" || this.#method === "HEAD")) {
        throw new TypeError(GET_HEAD_BODY_MESSAGE);
      }
      body = transferBodyState(inheritedBody);
    }
    this.#body = body;
  }

  get method() {
    return this.#method;
  }

  get url() {
    return this.#url;
  }

  get headers() {
    return this.#headers;
  }

  get redirect() {
    return this.#redirect;
  }

  // Like workerd, a request without a signal gets one that never aborts, made on first access.
  get signal() {
    if (this.#signal === null) {
      this.#signal = requireChunk("abort").createAbortSignal();
    }
    return this.#signal;
  }

  get cf() {
    return this.#cf;
  }

  get cache() {
    return this.#cache;
  }

  get integrity() {
    return "";
  }

  clone() {
    assertSameRequest(this, "Request");
    const body = cloneBodyState(this.#body);
    const request = createIncomingRequest(
      this.#method,
      this.#url,
      cloneHeaders(this.#headers),
      null,
      cloneCf(this.#cf),
    );
    request.#body = body;
    request.#redirect = this.#redirect;
    request.#signal = this.#signal;
    request.#cache = this.#cache;
    return request;
  }
}
defineBodyMixin(Request.prototype, requestBody, requestHeaders, "Request");
Object.defineProperty(Request.prototype, Symbol.toStringTag, {
  value: "Request",
  configurable: true,
});

/**
 * Returns the `cf` object of incoming requests. Only a few of the fields that Workers fills in
 * are present, with fixed values, because this runtime has no data on the client's network.
 */
function incomingCf() {
  return {
    colo: "LOC",
    country: "XX",
    httpProtocol: "HTTP/1.1",
    clientTcpRtt: 0,
  };
}

/**
 * Builds the Request that a fetch handler receives. `headerPairs` is `[[name, value], ...]` and
 * `bodyBytes` a Uint8Array or null. An empty body counts as no body, so `request.body` is null.
 * The headers are immutable, as in Workers, and the request belongs to the request that is
 * current when this runs, so call it inside that request.
 */
function makeIncomingRequest(method, url, headerPairs, bodyBytes) {
  const headers = new Headers();
  for (const [name, value] of headerPairs) {
    appendHeaderUnchecked(headers, String(name).toLowerCase(), normalizeHeaderValue(value));
  }
  setHeadersGuard(headers, "immutable");
  let bytes = null;
  if (bodyBytes !== null && bodyBytes !== undefined) {
    bytes = bufferSourceBytes(bodyBytes, "The request body");
    if (bytes.byteLength === 0) {
      bytes = null;
    }
  }
  return createIncomingRequest(String(method), String(url), headers, bytes, incomingCf());
}

defineGlobal("Request", Request);

// Response (WHATWG Fetch standard) with workerd's differences: a default status text from the
// status code, a zero-length body allowed with a null-body status, and a `cf` property.

/** Status texts that workerd reports when none is given (RFC 9110 and the other RFCs cited). */
const STATUS_TEXTS = {
  100: "Continue",
  101: "Switching Protocols",
  102: "Processing",
  103: "Early Hints",
  200: "OK",
  201: "Created",
  202: "Accepted",
  203: "Non-Authoritative Information",
  204: "No Content",
  205: "Reset Content",
  206: "Partial Content",
  207: "Multi-Status",
  208: "Already Reported",
  226: "IM Used",
  300: "Multiple Choices",
  301: "Moved Permanently",
  302: "Found",
  303: "See Other",
  304: "Not Modified",
  305: "Use Proxy",
  307: "Temporary Redirect",
  308: "Permanent Redirect",
  400: "Bad Request",
  401: "Unauthorized",
  402: "Payment Required",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  406: "Not Acceptable",
  407: "Proxy Authentication Required",
  408: "Request Timeout",
  409: "Conflict",
  410: "Gone",
  411: "Length Required",
  412: "Precondition Failed",
  413: "Payload Too Large",
  414: "URI Too Long",
  415: "Unsupported Media Type",
  416: "Range Not Satisfiable",
  417: "Expectation Failed",
  418: "I'm a teapot",
  421: "Misdirected Request",
  422: "Unprocessable Entity",
  423: "Locked",
  424: "Failed Dependency",
  426: "Upgrade Required",
  428: "Precondition Required",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  451: "Unavailable For Legal Reasons",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
  505: "HTTP Version Not Supported",
  506: "Variant Also Negotiates",
  507: "Insufficient Storage",
  508: "Loop Detected",
  510: "Not Extended",
  511: "Network Authentication Required",
};

/** Returns workerd's default status text: the known phrase, else the name of the class. */
function defaultStatusText(status) {
  const known = STATUS_TEXTS[status];
  if (known !== undefined) {
    return known;
  }
  if (status >= 200 && status < 300) {
    return "Successful";
  }
  if (status >= 300 && status < 400) {
    return "Redirection";
  }
  if (status >= 400 && status < 500) {
    return "Client Error";
  }
  if (status >= 500 && status < 600) {
    return "Server Error";
  }
  return "";
}

const NULL_BODY_STATUSES = [101, 204, 205, 304];
const REDIRECT_STATUSES = [301, 302, 303, 307, 308];

const STATUS_RANGE_MESSAGE =
  "Responses may only be constructed with status codes in the range 200 to 599, inclusive.";
const NULL_BODY_MESSAGE =
  "Response with null body status (101, 204, 205, or 304) cannot have a body.";

/** Web IDL's `unsigned short` conversion, which wraps modulo 2^16. */
function toUnsignedShort(value) {
  const number = Math.trunc(Number(value));
  if (!Number.isFinite(number)) {
    return 0;
  }
  return ((number % 65536) + 65536) % 65536;
}

// Set by the static block of Response.
let responseBody;
let responseHeaders;
let responseState;
let createInternalResponse;

/** Token that lets module code build a Response without running the constructor's checks. */
const RESPONSE_INTERNAL_TOKEN = Symbol("Response internal token");

class Response {
  #status = 200;
  /** The status text given to the constructor, or null to use the default for the status. */
  #statusText = null;
  #headers;
  #body;
  #type = "default";
  #urlList = [];
  #cf = undefined;

  static {
    responseBody = (response) => response.#body;
    responseHeaders = (response) => response.#headers;
    responseState = (response) => ({
      status: response.#status,
      statusText: response.statusText,
      headers: response.#headers,
      body: response.#body,
    });
    createInternalResponse = (fields) => {
      const response = new Response(RESPONSE_INTERNAL_TOKEN);
      response.#status = fields.status;
      response.#statusText = fields.statusText ?? null;
      response.#headers = fields.headers;
      response.#body = createBodyState(fields.bytes ?? null);
      response.#type = fields.type ?? "default";
      response.#urlList = fields.urlList ?? [];
      response.#cf = fields.cf;
      return response;
    };
  }

  constructor(body = null, init = undefined) {
    claimForCurrentRequest(this);
    if (body === RESPONSE_INTERNAL_TOKEN) {
      return;
    }
    const options = init ?? {};
    if (typeof options !== "object" && typeof options !== "function") {
      throw new TypeError("Failed to construct 'Response': the init argument must be an object.");
    }

    // Web IDL reads dictionary members in alphabetical order.
    const initCf = options.cf;
    const initHeaders = options.headers;
    const initStatus = options.status;
    const initStatusText = options.statusText;

    if (initStatus !== undefined) {
      this.#status = toUnsignedShort(initStatus);
    }
    if (this.#status < 200 || this.#status > 599) {
      throw new RangeError(STATUS_RANGE_MESSAGE);
    }
    if (initStatusText !== undefined) {
      const text = String(initStatusText);
      // workerd rejects control characters, which could inject a header.
      if (/[\x00-\x1f]/.test(text) || /[^\x00-\xff]/.test(text)) {
        throw new TypeError("Invalid statusText");
      }
      this.#statusText = text;
    }
    this.#headers = new Headers(initHeaders);
    this.#cf = cloneCf(initCf);

    let bodyState = createBodyState(null);
    if (body !== null && body !== undefined) {
      const extracted = extractBody(body);
      if (NULL_BODY_STATUSES.includes(this.#status)) {
        // workerd lets a zero-length body through as a null body. Anything else is an error.
        const bytes = bufferedBodyBytes(extracted.state);
        if (bytes === null || bytes.byteLength !== 0) {
          throw new TypeError(NULL_BODY_MESSAGE);
        }
      } else {
        bodyState = extracted.state;
        applyBodyContentType(this.#headers, extracted.contentType);
      }
    }
    this.#body = bodyState;
  }

  static error() {
    return createInternalResponse({
      status: 0,
      statusText: "",
      headers: createHeaders([], "immutable"),
      type: "error",
    });
  }

  static redirect(url, status = 302) {
    const code = toUnsignedShort(status);
    if (!REDIRECT_STATUSES.includes(code)) {
      throw new RangeError(
        `${code} is not a redirect status code. It must be one of: 301, 302, 303, 307, or 308.`,
      );
    }
    const parsed = parseURLComponents(url, undefined);
    if (parsed === null) {
      throw new TypeError(`Unable to parse URL: ${String(url)}`);
    }
    return createInternalResponse({
      status: code,
      headers: createHeaders([["location", parsed.href]], "immutable"),
    });
  }

  static json(data, init = undefined) {
    const text = JSON.stringify(data);
    if (text === undefined) {
      throw new TypeError("The value passed to Response.json() cannot be serialized to JSON.");
    }
    const options = init ?? {};
    const headers = new Headers(options.headers);
    if (!headers.has("content-type")) {
      headers.set("content-type", "application/json");
    }
    return new Response(text, {
      cf: options.cf,
      headers,
      status: options.status,
      statusText: options.statusText,
    });
  }

  get type() {
    return this.#type;
  }

  get url() {
    return this.#urlList.length === 0 ? "" : this.#urlList[this.#urlList.length - 1];
  }

  get redirected() {
    return this.#urlList.length > 1;
  }

  get status() {
    return this.#status;
  }

  get ok() {
    return this.#status >= 200 && this.#status <= 299;
  }

  get statusText() {
    return this.#statusText ?? defaultStatusText(this.#status);
  }

  get headers() {
    return this.#headers;
  }

  get cf() {
    return this.#cf;
  }

  clone() {
    assertSameRequest(this, "Response");
    const response = createInternalResponse({
      status: this.#status,
      statusText: this.#statusText,
      headers: cloneHeaders(this.#headers),
      type: this.#type,
      urlList: [...this.#urlList],
      cf: cloneCf(this.#cf),
    });
    response.#body = cloneBodyState(this.#body);
    return response;
  }
}
defineBodyMixin(Response.prototype, responseBody, responseHeaders, "Response");
Object.defineProperty(Response.prototype, Symbol.toStringTag, {
  value: "Response",
  configurable: true,
});

/**
 * Converts a header value to the string the engine sends as Latin-1 bytes. Like workerd, a value
 * with non-ASCII characters goes on the wire as UTF-8, with a warning in the log.
 */
function headerValueForWire(name, value) {
  if (/^[\x00-\x7f]*$/.test(value)) {
    return value;
  }
  host.log(
    "warn",
    `A header value for "${name}" contains non-ASCII characters: "${value}". As a quirk to ` +
      "support Unicode, it is sent as UTF-8, but a browser would likely throw a TypeError. " +
      "Encode the value in ASCII for compatibility with the Fetch standard.",
  );
  let text = "";
  for (const byte of encodeUtf8(value)) {
    text += String.fromCharCode(byte);
  }
  return text;
}

/**
 * Reads what the engine sends for a Response and returns a Promise of `{ status, statusText,
 * headers, body }` or `{ status, statusText, headers, stream }`. `headers` is `[[name, value],
 * ...]` after the Fetch standard's sort and combine, so each Set-Cookie value is its own pair, and
 * each value is a string of byte values (UTF-8 for non-ASCII text). `body` is a Uint8Array (empty
 * for a null body) when the bytes are known without reading a stream, which marks the body used.
 * Otherwise `stream` is the body's ReadableStream, still unread, for the engine to pump. It rejects
 * with a TypeError when the body was already used or is locked.
 */
function responseParts(response) {
  try {
    if (!(response instanceof Response)) {
      throw new TypeError(`responseParts() expects a Response, got ${typeof response}.`);
    }
    assertSameRequest(response, "Response");
    const state = responseState(response);
    const headers = sortAndCombineHeaders(headerList(state.headers)).map(([name, value]) => [
      name,
      headerValueForWire(name, value),
    ]);
    const parts = { status: state.status, statusText: state.statusText, headers };
    if (bodyIsNull(state.body)) {
      parts.body = new Uint8Array(0);
      return Promise.resolve(parts);
    }
    const bytes = takeBufferedBody(state.body);
    if (bytes !== null) {
      parts.body = bytes;
    } else {
      parts.stream = state.body.stream.object;
    }
    return Promise.resolve(parts);
  } catch (error) {
    return Promise.reject(error);
  }
}

defineGlobal("Response", Response);

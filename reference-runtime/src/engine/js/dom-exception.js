// DOMException (Web IDL standard).
//
// A chunk: `engine/bootstrap.rs` wraps this file in `export default function (core) { ... }`,
// and the `return` at the end lists the chunk's exports.

/** Legacy `code` values of the DOMException names that have one (Web IDL, "error names"). */
const DOM_EXCEPTION_CODES = {
  IndexSizeError: 1,
  HierarchyRequestError: 3,
  WrongDocumentError: 4,
  InvalidCharacterError: 5,
  NoModificationAllowedError: 7,
  NotFoundError: 8,
  NotSupportedError: 9,
  InUseAttributeError: 10,
  InvalidStateError: 11,
  SyntaxError: 12,
  InvalidModificationError: 13,
  NamespaceError: 14,
  InvalidAccessError: 15,
  TypeMismatchError: 17,
  SecurityError: 18,
  NetworkError: 19,
  AbortError: 20,
  URLMismatchError: 21,
  QuotaExceededError: 22,
  TimeoutError: 23,
  InvalidNodeTypeError: 24,
  DataCloneError: 25,
};

/** Constant names such as `ABORT_ERR` that DOMException and its prototype carry. */
const DOM_EXCEPTION_CONSTANTS = {
  INDEX_SIZE_ERR: 1,
  DOMSTRING_SIZE_ERR: 2,
  HIERARCHY_REQUEST_ERR: 3,
  WRONG_DOCUMENT_ERR: 4,
  INVALID_CHARACTER_ERR: 5,
  NO_DATA_ALLOWED_ERR: 6,
  NO_MODIFICATION_ALLOWED_ERR: 7,
  NOT_FOUND_ERR: 8,
  NOT_SUPPORTED_ERR: 9,
  INUSE_ATTRIBUTE_ERR: 10,
  INVALID_STATE_ERR: 11,
  SYNTAX_ERR: 12,
  INVALID_MODIFICATION_ERR: 13,
  NAMESPACE_ERR: 14,
  INVALID_ACCESS_ERR: 15,
  VALIDATION_ERR: 16,
  TYPE_MISMATCH_ERR: 17,
  SECURITY_ERR: 18,
  NETWORK_ERR: 19,
  ABORT_ERR: 20,
  URL_MISMATCH_ERR: 21,
  QUOTA_EXCEEDED_ERR: 22,
  TIMEOUT_ERR: 23,
  INVALID_NODE_TYPE_ERR: 24,
  DATA_CLONE_ERR: 25,
};

// DOMException inherits from Error so that it has a stack and `instanceof Error` holds, as in V8.
// `name` and `message` are prototype getters, as Web IDL defines them, not own properties.
class DOMException extends Error {
  #name;
  #message;

  constructor(message = undefined, options = undefined) {
    super();
    // Start the stack at the caller, so it does not show this constructor's frame.
    Error.captureStackTrace(this, new.target);
    this.#message = message === undefined ? "" : String(message);
    if (options !== null && typeof options === "object") {
      this.#name = options.name === undefined ? "Error" : String(options.name);
      if ("cause" in options) {
        Object.defineProperty(this, "cause", {
          value: options.cause,
          writable: true,
          configurable: true,
          enumerable: false,
        });
      }
    } else {
      this.#name = options === undefined ? "Error" : String(options);
    }
  }

  get name() {
    return this.#name;
  }

  get message() {
    return this.#message;
  }

  get code() {
    return DOM_EXCEPTION_CODES[this.#name] ?? 0;
  }
}

// One descriptor object serves every constant, because these 50 definitions are a large part of
// the cost of loading this chunk.
const constantDescriptor = { value: 0, writable: false, enumerable: true, configurable: false };
for (const constant in DOM_EXCEPTION_CONSTANTS) {
  constantDescriptor.value = DOM_EXCEPTION_CONSTANTS[constant];
  Object.defineProperty(DOMException, constant, constantDescriptor);
  Object.defineProperty(DOMException.prototype, constant, constantDescriptor);
}
Object.defineProperty(DOMException.prototype, Symbol.toStringTag, {
  value: "DOMException",
  configurable: true,
});

return { DOMException };

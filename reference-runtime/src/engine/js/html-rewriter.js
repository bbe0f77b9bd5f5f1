// HTMLRewriter, the Workers API for rewriting HTML as it streams, over lol_html (the library
// workerd uses; see natives/html_rewriter.rs). `transform()` feeds the response body to the
// rewriter chunk by chunk and streams out what it writes. Handlers run synchronously while
// lol_html parses, and get content objects that are valid only during that call.
//
// A chunk: `engine/bootstrap.rs` wraps this file in `export default function (core) { ... }`, so
// the names below come from the core and the `return` at the end lists the chunk's exports.

const {
  Headers,
  Response,
  bufferSourceBytes,
  host,
  requireChunk,
  resolvedUndefined,
  uponPromise,
} = core;
const {
  acquireReadableStreamDefaultReader,
  createReadableStream,
  newDeferred,
  promiseReadRequest,
  readableStreamDefaultControllerClose,
  readableStreamDefaultControllerEnqueue,
  readableStreamDefaultControllerError,
  readableStreamDefaultReaderRead,
  readableStreamReaderGenericCancel,
  readableStreamRecordOf,
} = requireChunk("streams");

const HANDLER_FLAGS = { element: 1, comments: 2, text: 4, doctype: 8, end: 16 };

/** Reads `{ html }` from content options: true inserts HTML, false escapes text. */
function isHtmlContent(options) {
  return options !== undefined && options !== null && Boolean(options.html);
}

// Set by the static block of RewriterContent.
let newRewriterContent;

/** Base of the content classes: the rewriter state and the token of the handler call. */
class RewriterContent {
  #state;
  #token;

  static {
    newRewriterContent = (Class, state, token) => {
      const content = new Class(REWRITER_CONTENT_TOKEN);
      content.#state = state;
      content.#token = token;
      return content;
    };
  }

  constructor(token = undefined) {
    if (token !== REWRITER_CONTENT_TOKEN) {
      throw new TypeError("Illegal constructor");
    }
  }

  /** Runs a native operation on this content; throws once its handler has returned. */
  op(name, first = undefined, second = undefined, html = false) {
    return host.rewriterOp(this.#state, this.#token, name, first, second, html);
  }
}

const REWRITER_CONTENT_TOKEN = Symbol("HTMLRewriter content token");

/** Defines content methods that insert or replace content and return the content object. */
function defineContentMutators(prototype, names) {
  for (const name of names) {
    Object.defineProperty(prototype, name, {
      value: function (content, options = undefined) {
        this.op(name, String(content), undefined, isHtmlContent(options));
        return this;
      },
      writable: true,
      configurable: true,
    });
  }
}

class Element extends RewriterContent {
  get tagName() {
    return this.op("tagName");
  }

  set tagName(name) {
    this.op("setTagName", String(name));
  }

  get attributes() {
    return this.op("attributes")[Symbol.iterator]();
  }

  get removed() {
    return this.op("removed");
  }

  get namespaceURI() {
    return this.op("namespaceURI");
  }

  get selfClosing() {
    return this.op("selfClosing");
  }

  get canHaveContent() {
    return this.op("canHaveContent");
  }

  getAttribute(name) {
    return this.op("getAttribute", String(name)) ?? null;
  }

  hasAttribute(name) {
    return this.op("hasAttribute", String(name));
  }

  setAttribute(name, value) {
    this.op("setAttribute", String(name), String(value));
    return this;
  }

  removeAttribute(name) {
    this.op("removeAttribute", String(name));
    return this;
  }

  remove() {
    this.op("remove");
    return this;
  }

  removeAndKeepContent() {
    this.op("removeAndKeepContent");
    return this;
  }

  onEndTag(handler) {
    if (typeof handler !== "function") {
      throw new TypeError("onEndTag() requires a function.");
    }
    const register = endTagRegistrars.get(this);
    this.op("onEndTag", String(register(handler)));
  }
}
defineContentMutators(Element.prototype, [
  "before",
  "after",
  "prepend",
  "append",
  "replace",
  "setInnerContent",
]);
Object.defineProperty(Element.prototype, Symbol.toStringTag, {
  value: "Element",
  configurable: true,
});

class EndTag extends RewriterContent {
  get name() {
    return this.op("name");
  }

  set name(name) {
    this.op("setName", String(name));
  }

  remove() {
    this.op("remove");
    return this;
  }
}
defineContentMutators(EndTag.prototype, ["before", "after"]);
Object.defineProperty(EndTag.prototype, Symbol.toStringTag, {
  value: "EndTag",
  configurable: true,
});

class Text extends RewriterContent {
  get text() {
    return this.op("text");
  }

  get lastInTextNode() {
    return this.op("lastInTextNode");
  }

  get removed() {
    return this.op("removed");
  }

  remove() {
    this.op("remove");
    return this;
  }
}
defineContentMutators(Text.prototype, ["before", "after", "replace"]);
Object.defineProperty(Text.prototype, Symbol.toStringTag, { value: "Text", configurable: true });

class Comment extends RewriterContent {
  get text() {
    return this.op("text");
  }

  set text(text) {
    this.op("setText", String(text));
  }

  get removed() {
    return this.op("removed");
  }

  remove() {
    this.op("remove");
    return this;
  }
}
defineContentMutators(Comment.prototype, ["before", "after", "replace"]);
Object.defineProperty(Comment.prototype, Symbol.toStringTag, {
  value: "Comment",
  configurable: true,
});

class Doctype extends RewriterContent {
  get name() {
    return this.op("name") ?? null;
  }

  get publicId() {
    return this.op("publicId") ?? null;
  }

  get systemId() {
    return this.op("systemId") ?? null;
  }
}
Object.defineProperty(Doctype.prototype, Symbol.toStringTag, {
  value: "Doctype",
  configurable: true,
});

class DocumentEnd extends RewriterContent {}
defineContentMutators(DocumentEnd.prototype, ["append"]);
Object.defineProperty(DocumentEnd.prototype, Symbol.toStringTag, {
  value: "DocumentEnd",
  configurable: true,
});

/** Function of each Element that stores an end tag handler and returns its index. */
const endTagRegistrars = new WeakMap();

/** Content classes and handler members by the `kind` the native dispatches. */
const DISPATCH_KINDS = {
  element: { Class: Element, member: "element", document: false },
  comments: { Class: Comment, member: "comments", document: false },
  text: { Class: Text, member: "text", document: false },
  doctype: { Class: Doctype, member: "doctype", document: true },
  documentComments: { Class: Comment, member: "comments", document: true },
  documentText: { Class: Text, member: "text", document: true },
  end: { Class: DocumentEnd, member: "end", document: true },
};

/** Reads the handler functions of a handler object, checking that each is callable. */
function readHandlers(handlers, members, dictionaryName) {
  if (handlers === null || typeof handlers !== "object") {
    throw new TypeError(`The handlers must be an object of type '${dictionaryName}'.`);
  }
  let flags = 0;
  for (const member of members) {
    const handler = handlers[member];
    if (handler === undefined) {
      continue;
    }
    if (typeof handler !== "function") {
      throw new TypeError(
        `Incorrect type for the '${member}' field on '${dictionaryName}': the provided value is ` +
          "not of type 'function'.",
      );
    }
    flags |= HANDLER_FLAGS[member];
  }
  return flags;
}

class HTMLRewriter {
  /** `{ selector, handlers, flags }` per `on()` call, in order. */
  #elementHandlers = [];
  /** `{ handlers, flags }` per `onDocument()` call, in order. */
  #documentHandlers = [];

  on(selector, handlers) {
    const text = String(selector);
    host.rewriterCheckSelector(text);
    const flags = readHandlers(handlers, ["element", "comments", "text"], "ElementContentHandlers");
    this.#elementHandlers.push({ selector: text, handlers, flags });
    return this;
  }

  onDocument(handlers) {
    const flags = readHandlers(
      handlers,
      ["doctype", "comments", "text", "end"],
      "DocumentContentHandlers",
    );
    this.#documentHandlers.push({ handlers, flags });
    return this;
  }

  transform(response) {
    if (!(response instanceof Response)) {
      throw new TypeError(
        "Failed to execute 'transform' on 'HTMLRewriter': parameter 1 is not of type 'Response'.",
      );
    }
    const elementHandlers = [...this.#elementHandlers];
    const documentHandlers = [...this.#documentHandlers];
    const state = host.rewriterNew(
      elementHandlers.map((entry) => entry.selector),
      elementHandlers.map((entry) => entry.flags),
      documentHandlers.map((entry) => entry.flags),
    );
    const source = response.body;
    const headers = new Headers(response.headers);
    // The rewritten body has a different length.
    headers.delete("content-length");
    const output = createRewrittenStream(state, source, elementHandlers, documentHandlers);
    return new Response(output.object, {
      status: response.status,
      statusText: response.statusText,
      headers,
    });
  }
}
Object.defineProperty(HTMLRewriter.prototype, Symbol.toStringTag, {
  value: "HTMLRewriter",
  configurable: true,
});

/**
 * Creates the stream of a rewritten body: each pull reads input chunks and feeds them to the
 * rewriter until it has output, so the rewritten document streams as the input arrives.
 */
function createRewrittenStream(state, source, elementHandlers, documentHandlers) {
  const endTagHandlers = [];
  let output;
  const dispatch = (kind, index, token) => {
    let handler;
    let handlers;
    let content;
    if (kind === "endTag") {
      handler = endTagHandlers[index];
      content = newRewriterContent(EndTag, state, token);
    } else {
      const dispatchKind = DISPATCH_KINDS[kind];
      handlers = dispatchKind.document
        ? documentHandlers[index].handlers
        : elementHandlers[index].handlers;
      handler = handlers[dispatchKind.member];
      content = newRewriterContent(dispatchKind.Class, state, token);
      if (kind === "element") {
        endTagRegistrars.set(content, (endTagHandler) => endTagHandlers.push(endTagHandler) - 1);
      }
    }
    const result = handler.call(handlers, content);
    // NOTE: lol_html calls handlers synchronously, so the rewriter does not wait for a promise
    // that a handler returns, unlike workerd. Content used after the handler's first await
    // throws, because its token has expired; such a rejection errors the rewritten stream.
    if (result !== null && typeof result === "object" && typeof result.then === "function") {
      uponPromise(result, undefined, (error) =>
        readableStreamDefaultControllerError(output.controller, error),
      );
    }
  };

  const reader =
    source === null ? null : acquireReadableStreamDefaultReader(readableStreamRecordOf(source));
  let finished = false;
  const readChunk = () => {
    if (reader === null) {
      return Promise.resolve({ value: undefined, done: true });
    }
    const deferred = newDeferred();
    readableStreamDefaultReaderRead(reader, promiseReadRequest(deferred));
    return deferred.promise;
  };
  const pump = (controller) =>
    uponPromise(readChunk(), ({ value, done }) => {
      if (done) {
        finished = true;
        const last = host.rewriterEnd(state, dispatch);
        if (last.byteLength > 0) {
          readableStreamDefaultControllerEnqueue(controller, last);
        }
        readableStreamDefaultControllerClose(controller);
        return undefined;
      }
      const bytes = bufferSourceBytes(value, "A chunk of the body that HTMLRewriter transforms");
      const rewritten = host.rewriterWrite(state, bytes, dispatch);
      if (rewritten.byteLength > 0) {
        readableStreamDefaultControllerEnqueue(controller, rewritten);
        return undefined;
      }
      return pump(controller);
    });

  output = createReadableStream(
    () => undefined,
    () => (finished ? resolvedUndefined : pump(output.controller)),
    (reason) =>
      reader === null ? resolvedUndefined : readableStreamReaderGenericCancel(reader, reason),
    0,
  );
  return output;
}

return { HTMLRewriter };

// Blob and File (W3C File API) and FormData (WHATWG XMLHttpRequest standard), with the
// multipart/form-data serializer and parser that Request and Response bodies use.
//
// A chunk: `engine/bootstrap.rs` wraps this file in `export default function (core) { ... }`, so
// the names below come from the core and the `return` at the end lists the chunk's exports.

const {
  bufferSourceBytes,
  concatBytes,
  createIteratorPrototype,
  createPairIterator,
  decodeUtf8,
  encodeUtf8,
  isBufferSource,
  requireChunk,
  toUSVString,
} = core;

/** Returns `type` lowercased, or "" when it has a character outside U+0020 to U+007E. */
function normalizeBlobType(type) {
  const text = String(type);
  return /^[\x20-\x7e]*$/.test(text) ? text.toLowerCase() : "";
}

/** Resolves a relative `slice()` index against `size`, as the File API's slice() does. */
function relativeIndex(value, size, fallback) {
  if (value === undefined) {
    return fallback;
  }
  const number = Math.trunc(Number(value)) || 0;
  return number < 0 ? Math.max(size + number, 0) : Math.min(number, size);
}

// Set by the static block of Blob.
let blobBytes;
let createBlob;

class Blob {
  /** Contents, never changed after construction, so slices and bodies may share them. */
  #bytes;
  #type;

  static {
    blobBytes = (blob) => blob.#bytes;
    createBlob = (bytes, type) => {
      const blob = new Blob();
      blob.#bytes = bytes;
      blob.#type = type;
      return blob;
    };
  }

  constructor(blobParts = undefined, options = undefined) {
    const dictionary = options ?? {};
    const endings = dictionary.endings === undefined ? "transparent" : String(dictionary.endings);
    if (endings !== "transparent" && endings !== "native") {
      throw new TypeError(
        `Failed to construct 'Blob': The provided value '${endings}' is not a valid enum ` +
          "value of type EndingType.",
      );
    }
    this.#type = dictionary.type === undefined ? "" : normalizeBlobType(dictionary.type);

    if (blobParts === undefined) {
      this.#bytes = new Uint8Array(0);
      return;
    }
    if (blobParts === null || typeof blobParts !== "object" || !(Symbol.iterator in blobParts)) {
      throw new TypeError(
        "Failed to construct 'Blob': The provided value cannot be converted to a sequence.",
      );
    }
    const chunks = [];
    for (const part of blobParts) {
      if (part instanceof Blob) {
        chunks.push(part.#bytes);
      } else if (isBufferSource(part)) {
        chunks.push(bufferSourceBytes(part, "A blob part").slice());
      } else {
        let text = String(part);
        // "native" line endings are LF on the Linux hosts this runtime targets.
        if (endings === "native") {
          text = text.replace(/\r\n|\r/g, "\n");
        }
        chunks.push(encodeUtf8(text));
      }
    }
    this.#bytes = concatBytes(chunks);
  }

  get size() {
    return this.#bytes.byteLength;
  }

  get type() {
    return this.#type;
  }

  slice(start = undefined, end = undefined, contentType = undefined) {
    const size = this.#bytes.byteLength;
    const from = relativeIndex(start, size, 0);
    const to = relativeIndex(end, size, size);
    const type = contentType === undefined ? "" : normalizeBlobType(contentType);
    return createBlob(this.#bytes.subarray(from, Math.max(from, to)), type);
  }

  text() {
    return Promise.resolve(decodeUtf8(this.#bytes));
  }

  arrayBuffer() {
    return Promise.resolve(this.#bytes.slice().buffer);
  }

  bytes() {
    return Promise.resolve(this.#bytes.slice());
  }

  stream() {
    return requireChunk("streams").createBufferedByteStream(this.#bytes).object;
  }
}
Object.defineProperty(Blob.prototype, Symbol.toStringTag, { value: "Blob", configurable: true });

class File extends Blob {
  #name;
  #lastModified;

  constructor(fileBits, fileName, options = undefined) {
    if (arguments.length < 2) {
      throw new TypeError(
        `Failed to construct 'File': 2 arguments required, but only ${arguments.length} present.`,
      );
    }
    super(fileBits, options);
    this.#name = toUSVString(fileName);
    const lastModified = options?.lastModified;
    this.#lastModified = lastModified === undefined ? Date.now() : Math.trunc(Number(lastModified)) || 0;
  }

  get name() {
    return this.#name;
  }

  get lastModified() {
    return this.#lastModified;
  }
}
Object.defineProperty(File.prototype, Symbol.toStringTag, { value: "File", configurable: true });

const FORM_DATA_ITERATOR_PROTOTYPE = createIteratorPrototype("FormData Iterator");

/**
 * Converts a FormData value: a Blob becomes a File (named "blob" unless it is a File or a
 * filename is given), anything else becomes a USVString.
 */
function toFormDataValue(value, filename, argumentCount, method) {
  if (value instanceof Blob) {
    if (value instanceof File && filename === undefined) {
      return value;
    }
    let name = "blob";
    if (filename !== undefined) {
      name = filename;
    } else if (value instanceof File) {
      name = value.name;
    }
    const options = { type: value.type };
    if (value instanceof File) {
      options.lastModified = value.lastModified;
    }
    return new File([value], name, options);
  }
  if (argumentCount > 2) {
    throw new TypeError(
      `Failed to execute '${method}' on 'FormData': parameter 2 is not of type 'Blob'.`,
    );
  }
  return toUSVString(value);
}

class FormData {
  /** Entries `[name, value]`, where each value is a string or a File. */
  #entries = [];

  constructor(form = undefined) {
    if (form !== undefined) {
      throw new TypeError(
        "Failed to construct 'FormData': parameter 1 is not of type 'HTMLFormElement'.",
      );
    }
  }

  append(name, value, filename = undefined) {
    if (arguments.length < 2) {
      throw new TypeError("Failed to execute 'append' on 'FormData': 2 arguments required.");
    }
    const file = filename === undefined ? undefined : toUSVString(filename);
    this.#entries.push([toUSVString(name), toFormDataValue(value, file, arguments.length, "append")]);
  }

  delete(name) {
    name = toUSVString(name);
    this.#entries = this.#entries.filter((entry) => entry[0] !== name);
  }

  get(name) {
    name = toUSVString(name);
    const entry = this.#entries.find((pair) => pair[0] === name);
    return entry === undefined ? null : entry[1];
  }

  getAll(name) {
    name = toUSVString(name);
    return this.#entries.filter((entry) => entry[0] === name).map((entry) => entry[1]);
  }

  has(name) {
    name = toUSVString(name);
    return this.#entries.some((entry) => entry[0] === name);
  }

  set(name, value, filename = undefined) {
    if (arguments.length < 2) {
      throw new TypeError("Failed to execute 'set' on 'FormData': 2 arguments required.");
    }
    name = toUSVString(name);
    const file = filename === undefined ? undefined : toUSVString(filename);
    const entry = [name, toFormDataValue(value, file, arguments.length, "set")];
    const index = this.#entries.findIndex((pair) => pair[0] === name);
    if (index === -1) {
      this.#entries.push(entry);
      return;
    }
    this.#entries[index] = entry;
    this.#entries = this.#entries.filter((pair, position) => position <= index || pair[0] !== name);
  }

  forEach(callback, thisArg = undefined) {
    if (typeof callback !== "function") {
      throw new TypeError("Failed to execute 'forEach' on 'FormData': parameter 1 is not a function.");
    }
    for (let index = 0; index < this.#entries.length; index++) {
      const [name, value] = this.#entries[index];
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
    return createPairIterator(FORM_DATA_ITERATOR_PROTOTYPE, (index) => this.#entries[index], kind);
  }
}
Object.defineProperty(FormData.prototype, Symbol.iterator, {
  value: FormData.prototype.entries,
  writable: true,
  configurable: true,
});
Object.defineProperty(FormData.prototype, Symbol.toStringTag, {
  value: "FormData",
  configurable: true,
});

/** Returns a multipart/form-data boundary: a fixed prefix and 32 random hex digits. */
function newMultipartBoundary() {
  let digits = "";
  for (let index = 0; index < 32; index++) {
    digits += Math.floor(Math.random() * 16).toString(16);
  }
  return `----formdata-edgecase-${digits}`;
}

/** Converts lone CR and lone LF to CRLF, as the HTML standard's entry list conversion does. */
function toCRLF(text) {
  return text.replace(/\r\n|\r|\n/g, "\r\n");
}

/** Escapes a name or filename for a Content-Disposition header: LF, CR and `"` are encoded. */
function escapeMultipartName(text) {
  return text.replace(/\n/g, "%0A").replace(/\r/g, "%0D").replace(/"/g, "%22");
}

/** Serializes a FormData as a multipart/form-data body with the given boundary. */
function serializeMultipart(formData, boundary) {
  const chunks = [];
  for (const [rawName, value] of formData) {
    const name = escapeMultipartName(toCRLF(rawName));
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${name}"`;
    if (typeof value === "string") {
      chunks.push(encodeUtf8(`${head}\r\n\r\n${toCRLF(value)}\r\n`));
      continue;
    }
    const type = value.type === "" ? "application/octet-stream" : value.type;
    head += `; filename="${escapeMultipartName(value.name)}"\r\nContent-Type: ${type}\r\n\r\n`;
    chunks.push(encodeUtf8(head), blobBytes(value), encodeUtf8("\r\n"));
  }
  chunks.push(encodeUtf8(`--${boundary}--\r\n`));
  return concatBytes(chunks);
}

/** Returns the index of `needle` in `bytes` at or after `from`, or -1. */
function indexOfBytes(bytes, needle, from) {
  const last = bytes.length - needle.length;
  outer: for (let index = from; index <= last; index++) {
    for (let offset = 0; offset < needle.length; offset++) {
      if (bytes[index + offset] !== needle[offset]) {
        continue outer;
      }
    }
    return index;
  }
  return -1;
}

/** Reads a quoted or bare parameter such as `name="x"` from a Content-Disposition value. */
function readDispositionParameter(disposition, parameter) {
  const pattern = new RegExp(`;\\s*${parameter}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]*))`, "i");
  const match = pattern.exec(disposition);
  if (match === null) {
    return undefined;
  }
  if (match[1] !== undefined) {
    return match[1].replace(/\\(.)/g, "$1").replace(/%22/g, '"').replace(/%0D/g, "\r").replace(/%0A/g, "\n");
  }
  return match[2];
}

/**
 * Parses a multipart/form-data body into a FormData. Parts with a filename become Files. Lines
 * may end in CRLF or a bare LF, as workerd accepts.
 */
function parseMultipart(bytes, boundary) {
  const formData = new FormData();
  const delimiter = encodeUtf8(`--${boundary}`);
  let position = indexOfBytes(bytes, delimiter, 0);
  if (position === -1) {
    throw new TypeError("No initial boundary string (or you have a truncated message).");
  }
  position += delimiter.length;

  for (;;) {
    // After a delimiter comes "--" (the end), or a line break and the next part.
    if (bytes[position] === 0x2d && bytes[position + 1] === 0x2d) {
      return formData;
    }
    if (bytes[position] === 0x0d && bytes[position + 1] === 0x0a) {
      position += 2;
    } else if (bytes[position] === 0x0a) {
      position += 1;
    } else {
      throw new TypeError("Boundary string was not succeeded by CRLF, LF, or '--'.");
    }

    // The part's headers end at the first empty line.
    let headerEnd = -1;
    let bodyStart = -1;
    for (let index = position; index < bytes.length; index++) {
      if (bytes[index] !== 0x0a) {
        continue;
      }
      const next = bytes[index + 1] === 0x0d ? index + 2 : index + 1;
      if (bytes[next] === 0x0a) {
        headerEnd = index;
        bodyStart = next + 1;
        break;
      }
    }
    if (headerEnd === -1) {
      throw new TypeError("No multipart message header termination found.");
    }
    const headerText = decodeUtf8(bytes.subarray(position, headerEnd));
    const partHeaders = new Map();
    for (const line of headerText.split(/\r?\n/)) {
      const colon = line.indexOf(":");
      if (colon > 0) {
        partHeaders.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
      }
    }
    const disposition = partHeaders.get("content-disposition");
    if (disposition === undefined || !/^form-data\s*(;|$)/i.test(disposition)) {
      throw new TypeError("No valid Content-Disposition header found in FormData part.");
    }
    const name = readDispositionParameter(disposition, "name");
    if (name === undefined) {
      throw new TypeError("Content-Disposition header in FormData part is missing a name.");
    }
    const filename = readDispositionParameter(disposition, "filename");

    // The part's content ends at the line break before the next delimiter.
    const nextDelimiter = indexOfBytes(bytes, concatBytes([encodeUtf8("\n"), delimiter]), bodyStart - 1);
    if (nextDelimiter === -1) {
      throw new TypeError("No subsequent boundary string after multipart message.");
    }
    let contentEnd = nextDelimiter;
    if (contentEnd > bodyStart && bytes[contentEnd - 1] === 0x0d) {
      contentEnd -= 1;
    }
    const content = bytes.subarray(bodyStart, Math.max(bodyStart, contentEnd));
    if (filename === undefined) {
      formData.append(name, decodeUtf8(content));
    } else {
      const type = partHeaders.get("content-type") ?? "";
      formData.append(name, new File([content], filename, { type }));
    }
    position = nextDelimiter + 1 + delimiter.length;
  }
}

/** Parses an application/x-www-form-urlencoded body into a FormData. */
function parseUrlencodedFormData(bytes) {
  const formData = new FormData();
  for (const [name, value] of requireChunk("url").decodeFormPairs(decodeUtf8(bytes))) {
    formData.append(name, value);
  }
  return formData;
}

/** Returns the essence ("type/subtype", lowercase) and parameters of a MIME type string. */
function parseMimeType(text) {
  const [essence, ...rest] = text.split(";");
  const parameters = new Map();
  for (const part of rest) {
    const equals = part.indexOf("=");
    if (equals === -1) {
      continue;
    }
    const name = part.slice(0, equals).trim().toLowerCase();
    let value = part.slice(equals + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) {
      value = value.slice(1, -1).replace(/\\(.)/g, "$1");
    }
    if (name !== "" && !parameters.has(name)) {
      parameters.set(name, value);
    }
  }
  return { essence: essence.trim().toLowerCase(), parameters };
}

/** Parses body bytes as FormData according to the Content-Type header value. */
function parseFormDataBody(bytes, contentType) {
  if (contentType === null) {
    throw new TypeError("Parsing a Body as FormData requires a Content-Type header.");
  }
  const { essence, parameters } = parseMimeType(contentType);
  if (essence === "multipart/form-data") {
    const boundary = parameters.get("boundary");
    if (boundary === undefined || boundary === "") {
      throw new TypeError(
        "No boundary string in Content-Type header. The multipart/form-data MIME type " +
          "requires a boundary parameter, e.g. 'Content-Type: multipart/form-data; " +
          "boundary=\"abcd\"'. See RFC 7578, section 4.",
      );
    }
    return parseMultipart(bytes, boundary);
  }
  if (essence === "application/x-www-form-urlencoded") {
    return parseUrlencodedFormData(bytes);
  }
  throw new TypeError(
    "Unrecognized Content-Type header value. FormData can only parse the following MIME " +
      "types: multipart/form-data, application/x-www-form-urlencoded",
  );
}

return {
  Blob,
  File,
  FormData,
  blobBytes,
  createBlob,
  newMultipartBoundary,
  parseFormDataBody,
  serializeMultipart,
};

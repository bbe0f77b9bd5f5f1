// The console global. Output goes to the engine's log through `host.log(level, text)`, formatted
// roughly as Node's util.format and util.inspect do.
//
// A chunk: `engine/bootstrap.rs` wraps this file in `export default function (core) { ... }`, so
// the names below come from the core and the `return` at the end lists the chunk's exports.

const { host, isChunkInstance, reflectGetOwnPropertyDescriptor } = core;

/** Default depth of nested objects that inspect() expands, as in Node. */
const INSPECT_DEPTH = 2;

/** Widest single-line rendering of an object or array before inspect() breaks it into lines. */
const INSPECT_LINE_WIDTH = 72;

/** Maximum number of array items or Map and Set entries shown before "... N more items". */
const INSPECT_MAX_ITEMS = 100;

/**
 * Getters that inspect() shows for the runtime's own classes, whose state is private, as
 * `[chunk, class, getters]`. The chunk is null for a class of the core. The first class that a
 * value is an instance of applies.
 */
const INSPECTED_GETTERS = [
  ["url", "URL", ["href", "origin", "protocol", "username", "password", "host", "hostname", "port", "pathname", "search", "hash"]],
  [null, "Request", ["method", "url", "headers", "redirect", "bodyUsed", "cf"]],
  [null, "Response", ["status", "statusText", "headers", "ok", "redirected", "url", "type", "bodyUsed"]],
  ["blob", "File", ["name", "size", "type", "lastModified"]],
  ["blob", "Blob", ["size", "type"]],
  ["abort", "AbortSignal", ["aborted", "reason"]],
  ["abort", "AbortController", ["signal"]],
  ["encoding", "TextEncoder", ["encoding"]],
  ["encoding", "TextDecoder", ["encoding", "fatal", "ignoreBOM"]],
  ["events", "CustomEvent", ["type", "detail"]],
  ["events", "Event", ["type", "defaultPrevented", "cancelable", "timeStamp"]],
];

/** Classes whose entries inspect() lists as `key => value`, like a Map, as `[chunk, class]`. */
const INSPECTED_PAIR_LISTS = [
  [null, "Headers"],
  ["url", "URLSearchParams"],
  ["blob", "FormData"],
];

/**
 * Returns true when `value` is an instance of class `className` of the core (`chunkName` null)
 * or of a chunk. It never loads a chunk, because no value can be an instance of a class that
 * does not exist yet.
 */
function isRuntimeInstance(value, chunkName, className) {
  if (chunkName === null) {
    return value instanceof core[className];
  }
  return isChunkInstance(value, chunkName, className);
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function quoteString(text) {
  const escaped = text
    .replace(/\\/g, "\\\\")
    .replace(/'/g, "\\'")
    .replace(/\n/g, "\\n")
    .replace(/\r/g, "\\r")
    .replace(/\t/g, "\\t");
  return `'${escaped}'`;
}

function formatKey(key) {
  if (typeof key === "symbol") {
    return `[${key.toString()}]`;
  }
  return IDENTIFIER.test(key) ? key : quoteString(key);
}

function formatPrimitive(value) {
  switch (typeof value) {
    case "string":
      return quoteString(value);
    case "number":
      return Object.is(value, -0) ? "-0" : String(value);
    case "bigint":
      return `${value}n`;
    case "symbol":
      return value.toString();
    case "undefined":
      return "undefined";
    default:
      return String(value);
  }
}

/** Returns the constructor name to print before an object, or null for a plain object. */
function constructorName(value) {
  const prototype = Object.getPrototypeOf(value);
  if (prototype === null) {
    return "[Object: null prototype]";
  }
  const name = prototype.constructor?.name;
  if (typeof name !== "string" || name === "") {
    return null;
  }
  return name === "Object" ? null : name;
}

function formatFunction(value) {
  const source = Function.prototype.toString.call(value);
  if (source.startsWith("class")) {
    return value.name ? `[class ${value.name}]` : "[class (anonymous)]";
  }
  const kind =
    value.constructor?.name === "AsyncFunction"
      ? "AsyncFunction"
      : value.constructor?.name === "GeneratorFunction"
        ? "GeneratorFunction"
        : "Function";
  return value.name ? `[${kind}: ${value.name}]` : `[${kind} (anonymous)]`;
}

function formatError(error) {
  let head;
  try {
    head = `${error.name}: ${error.message}`;
  } catch {
    head = "Error";
  }
  const stack = typeof error.stack === "string" ? error.stack.trimEnd() : "";
  // QuickJS stacks hold only the "    at ..." lines, so the name and message come first.
  return stack === "" ? `[${head}]` : `${head}\n${stack}`;
}

/** Returns `[key, valueText]` for each own enumerable property, with getters not called. */
function ownPropertyEntries(value, state, depth, skipIndices) {
  const entries = [];
  for (const key of Reflect.ownKeys(value)) {
    if (skipIndices && typeof key === "string" && /^(0|[1-9]\d*)$/.test(key)) {
      continue;
    }
    const descriptor = reflectGetOwnPropertyDescriptor(value, key);
    if (descriptor === undefined || !descriptor.enumerable) {
      continue;
    }
    let text;
    if (descriptor.get !== undefined || descriptor.set !== undefined) {
      text =
        descriptor.get !== undefined && descriptor.set !== undefined
          ? "[Getter/Setter]"
          : descriptor.get !== undefined
            ? "[Getter]"
            : "[Setter]";
    } else {
      text = formatValue(descriptor.value, state, depth + 1);
    }
    entries.push(`${formatKey(key)}: ${text}`);
  }
  return entries;
}

/** Joins item texts inside `open`/`close`, on one line if short enough, else one per line. */
function joinItems(prefix, open, close, items, depth) {
  if (items.length === 0) {
    return `${prefix}${open}${close}`;
  }
  const single = `${prefix}${open} ${items.join(", ")} ${close}`;
  if (single.length + depth * 2 <= INSPECT_LINE_WIDTH && !items.some((item) => item.includes("\n"))) {
    return single;
  }
  const indent = "  ".repeat(depth + 1);
  const lines = items.map((item) => indent + item.replace(/\n/g, `\n${indent}`));
  return `${prefix}${open}\n${lines.join(",\n")}\n${"  ".repeat(depth)}${close}`;
}

function formatArrayItems(value, state, depth) {
  const items = [];
  const shown = Math.min(value.length, INSPECT_MAX_ITEMS);
  let holes = 0;
  const flushHoles = () => {
    if (holes > 0) {
      items.push(`<${holes} empty item${holes === 1 ? "" : "s"}>`);
      holes = 0;
    }
  };
  for (let index = 0; index < shown; index++) {
    if (!Object.prototype.hasOwnProperty.call(value, index)) {
      holes++;
      continue;
    }
    flushHoles();
    items.push(formatValue(value[index], state, depth + 1));
  }
  flushHoles();
  if (value.length > shown) {
    const rest = value.length - shown;
    items.push(`... ${rest} more item${rest === 1 ? "" : "s"}`);
  }
  return items;
}

function formatObject(value, state, depth) {
  if (value instanceof Error) {
    return formatError(value);
  }
  if (value instanceof Date) {
    return Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString();
  }
  if (value instanceof RegExp) {
    return RegExp.prototype.toString.call(value);
  }
  if (value instanceof Number || value instanceof String || value instanceof Boolean) {
    let kind = "Boolean";
    if (value instanceof Number) {
      kind = "Number";
    } else if (value instanceof String) {
      kind = "String";
    }
    return `[${kind}: ${formatPrimitive(value.valueOf())}]`;
  }
  if (value instanceof Promise) {
    // NOTE: JS cannot read a promise's state synchronously, so unlike Node the state is not shown.
    return "Promise { <state unknown> }";
  }
  if (value instanceof WeakMap || value instanceof WeakSet) {
    return `${value instanceof WeakMap ? "WeakMap" : "WeakSet"} { <items unknown> }`;
  }

  const name = constructorName(value);
  if (depth > state.maxDepth) {
    if (Array.isArray(value)) {
      return "[Array]";
    }
    return `[${name ?? "Object"}]`;
  }

  if (Array.isArray(value)) {
    const items = formatArrayItems(value, state, depth);
    items.push(...ownPropertyEntries(value, state, depth, true));
    const prefix = name === "Array" || name === null ? "" : `${name}(${value.length}) `;
    return joinItems(prefix, "[", "]", items, depth);
  }
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const items = formatArrayItems(value, state, depth);
    return joinItems(`${name}(${value.length}) `, "[", "]", items, depth);
  }
  if (value instanceof ArrayBuffer) {
    const bytes = [...new Uint8Array(value).subarray(0, INSPECT_MAX_ITEMS)]
      .map((byte) => byte.toString(16).padStart(2, "0"))
      .join(" ");
    const more = value.byteLength > INSPECT_MAX_ITEMS ? ` ... ${value.byteLength - INSPECT_MAX_ITEMS} more bytes` : "";
    return joinItems("ArrayBuffer ", "{", "}", [`[Uint8Contents]: <${bytes}${more}>`, `byteLength: ${value.byteLength}`], depth);
  }
  if (value instanceof Map || value instanceof Set) {
    const isMap = value instanceof Map;
    const items = [];
    for (const entry of value) {
      if (items.length === INSPECT_MAX_ITEMS) {
        items.push(`... ${value.size - INSPECT_MAX_ITEMS} more items`);
        break;
      }
      items.push(
        isMap
          ? `${formatValue(entry[0], state, depth + 1)} => ${formatValue(entry[1], state, depth + 1)}`
          : formatValue(entry, state, depth + 1),
      );
    }
    items.push(...ownPropertyEntries(value, state, depth, false));
    return joinItems(`${name ?? (isMap ? "Map" : "Set")}(${value.size}) `, "{", "}", items, depth);
  }

  for (const [chunkName, className] of INSPECTED_PAIR_LISTS) {
    if (isRuntimeInstance(value, chunkName, className)) {
      const items = [];
      for (const [key, entry] of value) {
        items.push(`${formatValue(key, state, depth + 1)} => ${formatValue(entry, state, depth + 1)}`);
      }
      return joinItems(`${name} `, "{", "}", items, depth);
    }
  }
  for (const [chunkName, className, getters] of INSPECTED_GETTERS) {
    if (isRuntimeInstance(value, chunkName, className)) {
      const items = [];
      for (const getter of getters) {
        let text;
        try {
          text = formatValue(value[getter], state, depth + 1);
        } catch {
          text = "[unavailable]";
        }
        items.push(`${getter}: ${text}`);
      }
      items.push(...ownPropertyEntries(value, state, depth, false));
      return joinItems(`${name} `, "{", "}", items, depth);
    }
  }

  const items = ownPropertyEntries(value, state, depth, false);
  return joinItems(name === null ? "" : `${name} `, "{", "}", items, depth);
}

/** Formats any value; `state` tracks the objects being formatted, to mark cycles. */
function formatValue(value, state, depth) {
  if (typeof value === "function") {
    const base = formatFunction(value);
    const items = depth > state.maxDepth ? [] : ownPropertyEntries(value, state, depth, false);
    return items.length === 0 ? base : joinItems(`${base} `, "{", "}", items, depth);
  }
  if (value === null || typeof value !== "object") {
    return formatPrimitive(value);
  }

  const onStack = state.stack.indexOf(value);
  if (onStack !== -1) {
    let reference = state.references.get(value);
    if (reference === undefined) {
      reference = state.references.size + 1;
      state.references.set(value, reference);
    }
    return `[Circular *${reference}]`;
  }
  state.stack.push(value);
  let text;
  try {
    text = formatObject(value, state, depth);
  } finally {
    state.stack.pop();
  }
  const reference = state.references.get(value);
  return reference === undefined ? text : `<ref *${reference}> ${text}`;
}

/** Formats a value as Node's util.inspect() does, approximately. */
function inspect(value, options = undefined) {
  const depth = options?.depth;
  let maxDepth = INSPECT_DEPTH;
  if (depth === null) {
    maxDepth = Infinity;
  } else if (typeof depth === "number") {
    maxDepth = depth;
  }
  return formatValue(value, { stack: [], references: new Map(), maxDepth }, 0);
}

/** Formats console arguments as Node's util.format() does, with %s %d %i %f %j %o %O %c. */
function formatLogArguments(args) {
  if (args.length === 0) {
    return "";
  }
  let rest = args;
  let output = "";
  if (typeof args[0] === "string") {
    const template = args[0];
    let next = 1;
    let last = 0;
    for (let index = 0; index < template.length - 1; index++) {
      if (template[index] !== "%") {
        continue;
      }
      const directive = template[index + 1];
      if (directive === "%") {
        output += template.slice(last, index) + "%";
        last = index + 2;
        index++;
        continue;
      }
      if (!"sdifjoOc".includes(directive) || next >= args.length) {
        continue;
      }
      const argument = args[next++];
      let text;
      switch (directive) {
        case "s":
          text =
            typeof argument === "string"
              ? argument
              : typeof argument === "bigint"
                ? `${argument}n`
                : typeof argument === "object" && argument !== null
                  ? inspect(argument, { depth: 0 })
                  : formatPrimitive(argument);
          break;
        case "d":
          text =
            typeof argument === "bigint"
              ? `${argument}n`
              : typeof argument === "symbol"
                ? "NaN"
                : formatPrimitive(Number(argument));
          break;
        case "i":
          text =
            typeof argument === "bigint"
              ? `${argument}n`
              : typeof argument === "symbol"
                ? "NaN"
                : formatPrimitive(parseInt(argument, 10));
          break;
        case "f":
          text = typeof argument === "symbol" ? "NaN" : formatPrimitive(parseFloat(argument));
          break;
        case "j":
          try {
            text = JSON.stringify(argument);
          } catch {
            text = "[Circular]";
          }
          break;
        case "o":
          // NOTE: Node's %o also shows hidden properties with depth 4; this is plain inspect().
          text = inspect(argument, { depth: 4 });
          break;
        case "O":
          text = inspect(argument);
          break;
        case "c":
          text = "";
          break;
      }
      output += template.slice(last, index) + text;
      last = index + 2;
      index++;
    }
    output += template.slice(last);
    rest = args.slice(next);
  } else {
    output = formatLogArgument(args[0]);
    rest = args.slice(1);
  }
  for (const argument of rest) {
    output += ` ${formatLogArgument(argument)}`;
  }
  return output;
}

/** Strings print as they are at the top level; everything else as inspect() shows it. */
function formatLogArgument(value) {
  return typeof value === "string" ? value : inspect(value);
}

/** Indentation of console.group(), two spaces per open group. */
let consoleIndent = "";
const consoleCounts = new Map();
const consoleTimers = new Map();

function writeLog(level, text) {
  const indented = consoleIndent === "" ? text : consoleIndent + text.replace(/\n/g, `\n${consoleIndent}`);
  host.log(level, indented);
}

/** Renders console.table() data as a box-drawn table with an index column, as Node does. */
function formatTable(data, columns) {
  if (data === null || typeof data !== "object") {
    return formatLogArgument(data);
  }
  const rows = [];
  const keys = [];
  const addKey = (key) => {
    if (!keys.includes(key)) {
      keys.push(key);
    }
  };
  const entries = data instanceof Map ? [...data] : Object.entries(data);
  let hasValues = false;
  for (const [index, row] of entries) {
    const cells = new Map();
    if (row !== null && typeof row === "object") {
      for (const key of Object.keys(row)) {
        if (columns === undefined || columns.includes(key)) {
          addKey(key);
          cells.set(key, inspect(row[key], { depth: 0 }));
        }
      }
    } else {
      hasValues = true;
      cells.set("\0value", formatPrimitive(row));
    }
    rows.push([String(index), cells]);
  }
  const header = ["(index)", ...keys, ...(hasValues ? ["Values"] : [])];
  const keyOrder = [...keys, ...(hasValues ? ["\0value"] : [])];
  const table = rows.map(([index, cells]) => [index, ...keyOrder.map((key) => cells.get(key) ?? "")]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...table.map((row) => row[column].length)) + 2,
  );
  const pad = (text, width) => {
    const left = Math.floor((width - text.length) / 2);
    return " ".repeat(left) + text + " ".repeat(width - text.length - left);
  };
  const line = (left, middle, right) => left + widths.map((width) => "─".repeat(width)).join(middle) + right;
  const lines = [line("┌", "┬", "┐")];
  lines.push(`│${header.map((title, column) => pad(title, widths[column])).join("│")}│`);
  lines.push(line("├", "┼", "┤"));
  for (const row of table) {
    lines.push(`│${row.map((cell, column) => pad(cell, widths[column])).join("│")}│`);
  }
  lines.push(line("└", "┴", "┘"));
  return lines.join("\n");
}

const console = {
  log(...args) {
    writeLog("info", formatLogArguments(args));
  },
  info(...args) {
    writeLog("info", formatLogArguments(args));
  },
  debug(...args) {
    writeLog("debug", formatLogArguments(args));
  },
  warn(...args) {
    writeLog("warn", formatLogArguments(args));
  },
  error(...args) {
    writeLog("error", formatLogArguments(args));
  },
  trace(...args) {
    const stack = (new Error().stack ?? "").split("\n").slice(1).join("\n").trimEnd();
    const message = formatLogArguments(args);
    writeLog("info", `Trace${message === "" ? "" : `: ${message}`}\n${stack}`.trimEnd());
  },
  dir(value, options = undefined) {
    writeLog("info", inspect(value, options));
  },
  table(data, columns = undefined) {
    writeLog("info", formatTable(data, Array.isArray(columns) ? columns.map(String) : undefined));
  },
  assert(condition, ...args) {
    if (condition) {
      return;
    }
    const message = formatLogArguments(args);
    writeLog("error", message === "" ? "Assertion failed" : `Assertion failed: ${message}`);
  },
  count(label = "default") {
    const key = String(label);
    const count = (consoleCounts.get(key) ?? 0) + 1;
    consoleCounts.set(key, count);
    writeLog("info", `${key}: ${count}`);
  },
  countReset(label = "default") {
    consoleCounts.delete(String(label));
  },
  group(...args) {
    if (args.length > 0) {
      writeLog("info", formatLogArguments(args));
    }
    consoleIndent += "  ";
  },
  groupCollapsed(...args) {
    console.group(...args);
  },
  groupEnd() {
    consoleIndent = consoleIndent.slice(2);
  },
  // Date.now() is frozen while a handler runs in Workers, so durations are those of the I/O clock.
  time(label = "default") {
    const key = String(label);
    if (consoleTimers.has(key)) {
      writeLog("warn", `Label '${key}' already exists for console.time()`);
      return;
    }
    consoleTimers.set(key, Date.now());
  },
  timeLog(label = "default", ...args) {
    const key = String(label);
    const start = consoleTimers.get(key);
    if (start === undefined) {
      writeLog("warn", `No such label '${key}' for console.timeLog()`);
      return;
    }
    const extra = args.length === 0 ? "" : ` ${formatLogArguments(args)}`;
    writeLog("info", `${key}: ${Date.now() - start}ms${extra}`);
  },
  timeEnd(label = "default") {
    const key = String(label);
    const start = consoleTimers.get(key);
    if (start === undefined) {
      writeLog("warn", `No such label '${key}' for console.timeEnd()`);
      return;
    }
    consoleTimers.delete(key);
    writeLog("info", `${key}: ${Date.now() - start}ms`);
  },
};

return { console, inspect };

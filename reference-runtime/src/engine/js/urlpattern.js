// URLPattern (WHATWG URL Pattern standard). Rust parses patterns and inputs (natives/urlpattern.rs)
// and returns each component's regular expression, which this file runs with JS RegExp.
//
// A chunk: `engine/bootstrap.rs` wraps this file in `export default function (core) { ... }`, so
// the names below come from the core and the `return` at the end lists the chunk's exports.

const { host, toUSVString } = core;

const URL_PATTERN_COMPONENTS = [
  "protocol",
  "username",
  "password",
  "hostname",
  "port",
  "pathname",
  "search",
  "hash",
];

/** Converts a URLPatternInput (a string or a URLPatternInit dictionary) to the JSON Rust reads. */
function urlPatternInputJson(input) {
  if (typeof input === "string") {
    return JSON.stringify(toUSVString(input));
  }
  if (input === null || typeof input !== "object") {
    throw new TypeError("A URLPattern input must be a string or a URLPatternInit object.");
  }
  const init = {};
  // Web IDL reads dictionary members in alphabetical order.
  for (const member of [
    "baseURL",
    "hash",
    "hostname",
    "password",
    "pathname",
    "port",
    "protocol",
    "search",
    "username",
  ]) {
    const value = input[member];
    if (value !== undefined) {
      init[member] = toUSVString(value);
    }
  }
  return JSON.stringify(init);
}

class URLPattern {
  /** Per component: `{ pattern, regexp, groupNames }`. */
  #components;
  #hasRegExpGroups;

  constructor(input = {}, baseURLOrOptions = undefined, options = undefined) {
    let baseURL;
    let patternOptions = options;
    if (typeof baseURLOrOptions === "string") {
      baseURL = toUSVString(baseURLOrOptions);
    } else {
      patternOptions = baseURLOrOptions;
    }
    const ignoreCase = Boolean(patternOptions?.ignoreCase);
    const parsed = JSON.parse(
      host.urlPatternParse(urlPatternInputJson(input), baseURL, ignoreCase),
    );
    const flags = ignoreCase ? "ui" : "u";
    this.#components = {};
    for (const name of URL_PATTERN_COMPONENTS) {
      const component = parsed[name];
      let regexp;
      try {
        regexp = new RegExp(component.regexpString, flags);
      } catch (error) {
        throw new TypeError(
          `Invalid URLPattern: the ${name} component has an invalid regular expression: ${error.message}`,
        );
      }
      this.#components[name] = {
        pattern: component.patternString,
        regexp,
        groupNames: component.groupNameList,
      };
    }
    this.#hasRegExpGroups = parsed.hasRegexpGroups;
  }

  get protocol() {
    return this.#components.protocol.pattern;
  }

  get username() {
    return this.#components.username.pattern;
  }

  get password() {
    return this.#components.password.pattern;
  }

  get hostname() {
    return this.#components.hostname.pattern;
  }

  get port() {
    return this.#components.port.pattern;
  }

  get pathname() {
    return this.#components.pathname.pattern;
  }

  get search() {
    return this.#components.search.pattern;
  }

  get hash() {
    return this.#components.hash.pattern;
  }

  get hasRegExpGroups() {
    return this.#hasRegExpGroups;
  }

  test(input = {}, baseURL = undefined) {
    return matchURLPattern(this.#components, input, baseURL) !== null;
  }

  exec(input = {}, baseURL = undefined) {
    return matchURLPattern(this.#components, input, baseURL);
  }
}
Object.defineProperty(URLPattern.prototype, Symbol.toStringTag, {
  value: "URLPattern",
  configurable: true,
});

/** Runs the standard's "match": returns a URLPatternResult, or null when any component fails. */
function matchURLPattern(components, input, baseURL) {
  const base = baseURL === undefined ? undefined : toUSVString(baseURL);
  const json = host.urlPatternMatchInput(urlPatternInputJson(input), base);
  if (json === null || json === undefined) {
    return null;
  }
  const values = JSON.parse(json);
  const result = { inputs: base === undefined ? [input] : [input, base] };
  for (const name of URL_PATTERN_COMPONENTS) {
    const component = components[name];
    const match = component.regexp.exec(values[name]);
    if (match === null) {
      return null;
    }
    const groups = {};
    component.groupNames.forEach((groupName, index) => {
      groups[groupName] = match[index + 1];
    });
    result[name] = { input: values[name], groups };
  }
  return result;
}

return { URLPattern };

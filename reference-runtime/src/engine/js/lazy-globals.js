// Lazy globals: globals that are exports of a chunk. `install()` defines each one as an accessor
// that loads the chunk on first access and then replaces itself with the data property that an
// eager global would be. So `typeof`, enumeration, assignment and `delete` behave as for any
// other global, and the property descriptor functions never show the accessor.
// NOTE: `Object.defineProperty` on a lazy global that was never read acts on the accessor, so
// `{ writable: false }` leaves the global undefined, where an eager global would keep its value.

/** The accessor of each lazy global, by name, until the global is loaded or replaced. */
const lazyGlobalAccessors = new Map();

/** Descriptor of each lazy global's accessor, reused so that defining one allocates less. */
const lazyGlobalDescriptor = {
  get: undefined,
  set: undefined,
  enumerable: false,
  configurable: true,
};

/** Defines global `name` as a lazy global that is an export of chunk `chunkName`. */
function defineLazyGlobal(name, chunkName) {
  // One function is both the getter and the setter, because creating functions dominates the
  // cost of this loop. A getter is called without arguments and a setter with one.
  const accessor = function (value) {
    if (arguments.length === 0) {
      return loadLazyGlobal(name, chunkName);
    }
    lazyGlobalAccessors.delete(name);
    defineHidden(globalThis, name, value);
  };
  lazyGlobalAccessors.set(name, accessor);
  lazyGlobalDescriptor.get = accessor;
  lazyGlobalDescriptor.set = accessor;
  Object.defineProperty(globalThis, name, lazyGlobalDescriptor);
}

/** Returns true while global `name` is still the accessor that `defineLazyGlobal` defined. */
function isPendingLazyGlobal(name) {
  const accessor = lazyGlobalAccessors.get(name);
  return (
    accessor !== undefined && reflectGetOwnPropertyDescriptor(globalThis, name)?.get === accessor
  );
}

/**
 * Loads chunk `chunkName` and returns its export `name`. While the global is still the lazy
 * accessor, it becomes a data property holding the export.
 */
function loadLazyGlobal(name, chunkName) {
  const exports = requireChunk(chunkName);
  if (!Object.hasOwn(exports, name)) {
    throw new Error(`internal error: chunk "${chunkName}" has no export ${name}`);
  }
  const value = exports[name];
  if (isPendingLazyGlobal(name)) {
    lazyGlobalAccessors.delete(name);
    // Reflect.defineProperty returns false instead of throwing when a worker has frozen the
    // global object. The accessor then stays, and returns the export on every access.
    Reflect.defineProperty(globalThis, name, {
      value,
      writable: true,
      enumerable: false,
      configurable: true,
    });
  }
  return value;
}

/** Loads global `name` if it is still a lazy accessor. */
function loadIfPendingLazyGlobal(name) {
  if (isPendingLazyGlobal(name)) {
    lazyGlobalAccessors.get(name)();
  }
}

/**
 * Makes the property descriptor functions load lazy globals first, so that they report a lazy
 * global as the data property it becomes, never as the accessor.
 */
function hideLazyGlobalAccessors() {
  const getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
  const getOwnPropertyDescriptors = Object.getOwnPropertyDescriptors;
  // Methods, unlike function expressions, are not constructors, as the built-ins are not.
  const replacements = {
    getOwnPropertyDescriptor(target, key) {
      if (target === globalThis && typeof key === "string") {
        loadIfPendingLazyGlobal(key);
      }
      return getOwnPropertyDescriptor(target, key);
    },
    getOwnPropertyDescriptors(target) {
      if (target === globalThis) {
        for (const name of [...lazyGlobalAccessors.keys()]) {
          loadIfPendingLazyGlobal(name);
        }
      }
      return getOwnPropertyDescriptors(target);
    },
  };
  const reflectReplacement = {
    getOwnPropertyDescriptor(target, key) {
      if (target === globalThis && typeof key === "string") {
        loadIfPendingLazyGlobal(key);
      }
      return reflectGetOwnPropertyDescriptor(target, key);
    },
  };
  defineHidden(Object, "getOwnPropertyDescriptor", replacements.getOwnPropertyDescriptor);
  defineHidden(Object, "getOwnPropertyDescriptors", replacements.getOwnPropertyDescriptors);
  defineHidden(Reflect, "getOwnPropertyDescriptor", reflectReplacement.getOwnPropertyDescriptor);
}

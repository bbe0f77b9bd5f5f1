// WebAssembly as far as Workers allows it at run time: compiling from bytes is code
// generation, which Workers disallows, so every such path fails with a CompileError.
// NOTE: QuickJS has no WebAssembly engine, so modules that Workers accepts as bindings cannot
// run here either.
//
// A chunk: `engine/bootstrap.rs` wraps this file in `export default function (core) { ... }`,
// and the `return` at the end lists the chunk's exports.

const WASM_DISALLOWED_MESSAGE = "Wasm code generation disallowed by embedder";

class CompileError extends Error {
  constructor(message) {
    super(message);
    this.name = "CompileError";
  }
}

class LinkError extends Error {
  constructor(message) {
    super(message);
    this.name = "LinkError";
  }
}

class RuntimeError extends Error {
  constructor(message) {
    super(message);
    this.name = "RuntimeError";
  }
}

class WasmModule {
  constructor() {
    throw new CompileError(`WebAssembly.Module(): ${WASM_DISALLOWED_MESSAGE}`);
  }
}

class WasmInstance {
  constructor() {
    throw new LinkError("WebAssembly.Instance(): no WebAssembly.Module can exist here");
  }
}

const WebAssemblyNamespace = {
  CompileError,
  LinkError,
  RuntimeError,
  Module: WasmModule,
  Instance: WasmInstance,
  compile() {
    return Promise.reject(new CompileError(`WebAssembly.compile(): ${WASM_DISALLOWED_MESSAGE}`));
  },
  instantiate() {
    return Promise.reject(
      new CompileError(`WebAssembly.instantiate(): ${WASM_DISALLOWED_MESSAGE}`),
    );
  },
  validate() {
    return false;
  },
};
Object.defineProperty(WebAssemblyNamespace, Symbol.toStringTag, {
  value: "WebAssembly",
  configurable: true,
});

return { WebAssembly: WebAssemblyNamespace };

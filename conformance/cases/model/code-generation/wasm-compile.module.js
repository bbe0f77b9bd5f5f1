// The smallest valid WebAssembly module: the magic number and version 1.
const EMPTY_MODULE = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

async function attempt(operation) {
  try {
    await operation();
    return 'compiled';
  } catch (error) {
    return error.name;
  }
}

async function report() {
  return Response.json({
    moduleConstructor: await attempt(() => new WebAssembly.Module(EMPTY_MODULE)),
    compile: await attempt(() => WebAssembly.compile(EMPTY_MODULE)),
    instantiate: await attempt(() => WebAssembly.instantiate(EMPTY_MODULE)),
  });
}

export default {
  fetch(request) {
    return report();
  },
};

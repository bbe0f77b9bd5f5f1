// Returns the name of the error that running the code throws, or the value it produced.
function attempt(operation) {
  try {
    return `no error, result ${operation()}`;
  } catch (error) {
    return error.name;
  }
}

function report() {
  const AsyncFunction = (async () => {}).constructor;
  const GeneratorFunction = function* () {}.constructor;
  return Response.json({
    function: attempt(() => new Function('return 1')()),
    callWithoutNew: attempt(() => Function('return 2')()),
    asyncFunction: attempt(() => new AsyncFunction('return 3')),
    generatorFunction: attempt(() => new GeneratorFunction('yield 4')),
  });
}

addEventListener('fetch', (event) => {
  event.respondWith(report());
});

// Returns the name of the error that running the code throws, or the value it produced.
function attempt(operation) {
  try {
    return `no error, result ${operation()}`;
  } catch (error) {
    return error.name;
  }
}

function report() {
  const indirectEval = eval;
  return Response.json({
    direct: attempt(() => eval('1')),
    indirect: attempt(() => indirectEval('1 + 1')),
    globalThisEval: attempt(() => globalThis.eval('2 + 2')),
  });
}

addEventListener('fetch', (event) => {
  event.respondWith(report());
});

async function handle(request) {
  let finalized = false;
  async function* numbers() {
    try {
      yield 1;
      yield 2;
      yield 3;
    } finally {
      finalized = true;
    }
  }
  const firstTwo = [];
  for await (const value of ReadableStream.from(numbers())) {
    firstTwo.push(value);
    if (firstTwo.length === 2) {
      break;
    }
  }

  const fromArray = [];
  for await (const value of ReadableStream.from([Promise.resolve('p'), 'q'])) {
    fromArray.push(value);
  }

  const kept = ReadableStream.from(['k1', 'k2']);
  for await (const value of kept.values({ preventCancel: true })) {
    break;
  }
  const rest = await kept.getReader().read();

  return Response.json({ firstTwo, finalized, fromArray, restAfterPreventCancel: rest.value });
}

export default { fetch: handle };

async function handle(request) {
  let controller;
  const stream = new ReadableStream({
    start(c) {
      controller = c;
    },
  });
  const desiredBefore = controller.desiredSize;
  controller.enqueue('a');
  const desiredAfterOne = controller.desiredSize;
  controller.enqueue('b');
  controller.close();
  const reader = stream.getReader();
  const lockedWhileReading = stream.locked;
  const reads = [];
  for (;;) {
    const { value, done } = await reader.read();
    reads.push(done ? 'done' : value);
    if (done) {
      break;
    }
  }
  reader.releaseLock();
  return Response.json({
    desiredBefore,
    desiredAfterOne,
    lockedWhileReading,
    lockedAfterRelease: stream.locked,
    reads,
    readerIsDefault: reader instanceof ReadableStreamDefaultReader,
  });
}

export default { fetch: handle };

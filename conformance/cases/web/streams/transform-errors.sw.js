async function outcome(promise) {
  try {
    const value = await promise;
    return { ok: value === undefined ? null : value };
  } catch (error) {
    return { error: String(error.message ?? error) };
  }
}

async function handle(request) {
  const failing = new TransformStream({
    transform() {
      throw new Error('bad chunk');
    },
  });
  const writer = failing.writable.getWriter();
  const reader = failing.readable.getReader();
  // The read goes first: a TransformStream applies backpressure until its readable side is read.
  const reading = outcome(reader.read());
  const write = await outcome(writer.write('x'));
  const read = await reading;
  const laterWrite = await outcome(writer.write('y'));

  const ending = new TransformStream({
    transform(chunk, controller) {
      controller.enqueue(chunk);
      controller.terminate();
    },
  });
  const endingWriter = ending.writable.getWriter();
  endingWriter.write('only').catch(() => {});
  const chunks = [];
  for await (const chunk of ending.readable) {
    chunks.push(chunk);
  }
  return Response.json({ write, read, laterWrite, afterTerminate: chunks });
}

addEventListener('fetch', (event) => event.respondWith(handle(event.request)));

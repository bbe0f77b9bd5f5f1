async function handle(request) {
  const source = ReadableStream.from(['ab', 'c']);
  const splitter = new TransformStream({
    transform(chunk, controller) {
      for (const letter of chunk) {
        controller.enqueue(letter.toUpperCase());
      }
    },
    flush(controller) {
      controller.enqueue('END');
    },
  });
  const chunks = [];
  for await (const chunk of source.pipeThrough(splitter)) {
    chunks.push(chunk);
  }
  return Response.json({ chunks, writableLocked: splitter.writable.locked });
}

addEventListener('fetch', (event) => event.respondWith(handle(event.request)));

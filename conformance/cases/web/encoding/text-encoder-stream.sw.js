async function handle(request) {
  const stream = new TextEncoderStream();
  const writer = stream.writable.getWriter();
  writer.write('a\uD83D');
  writer.write('\uDE00b');
  writer.write('\uD800');
  writer.close();
  const chunks = [];
  for await (const chunk of stream.readable) {
    chunks.push([...chunk]);
  }
  return Response.json({ encoding: stream.encoding, chunks });
}

addEventListener('fetch', (event) => event.respondWith(handle(event.request)));

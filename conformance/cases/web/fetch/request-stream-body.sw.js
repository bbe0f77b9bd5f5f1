async function handle(request) {
  const encoder = new TextEncoder();
  const built = new Request('https://example.com/upload', {
    method: 'POST',
    body: ReadableStream.from([encoder.encode('part one, '), encoder.encode('part two')]),
  });
  const builtText = await built.text();

  const reader = request.body.getReader();
  const chunks = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) {
      break;
    }
    chunks.push(new TextDecoder().decode(value));
  }

  const original = new Request('https://example.com/', {
    method: 'PUT',
    body: ReadableStream.from([encoder.encode('moved')]),
  });
  const copy = new Request(original);
  return Response.json({
    builtText,
    incoming: chunks.join(''),
    incomingUsed: request.bodyUsed,
    originalUsed: original.bodyUsed,
    copyText: await copy.text(),
  });
}

addEventListener('fetch', (event) => event.respondWith(handle(event.request)));

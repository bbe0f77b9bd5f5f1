async function handle(request) {
  const mixed = new ReadableStream({
    start(controller) {
      controller.enqueue(new Uint8Array([104, 105]).buffer);
      controller.enqueue(new Uint16Array([0x2121]));
      controller.enqueue(new DataView(new Uint8Array([63]).buffer));
      controller.close();
    },
  });
  const bytesText = await new Response(mixed).text();

  const strings = new ReadableStream({
    start(controller) {
      controller.enqueue('not bytes');
      controller.close();
    },
  });
  let stringChunk;
  try {
    await new Response(strings).text();
    stringChunk = 'no error';
  } catch (error) {
    stringChunk = error.name;
  }
  return Response.json({ bytesText, stringChunk });
}

addEventListener('fetch', (event) => event.respondWith(handle(event.request)));

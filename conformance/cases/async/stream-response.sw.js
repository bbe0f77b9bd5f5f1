const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const encoder = new TextEncoder();

function readableResponse() {
  let sent = 0;
  const stream = new ReadableStream({
    async pull(controller) {
      await sleep(20);
      sent += 1;
      controller.enqueue(encoder.encode(`chunk ${sent}\n`));
      if (sent === 3) {
        controller.close();
      }
    },
  });
  return new Response(stream);
}

function transformResponse(addTask) {
  const { readable, writable } = new TransformStream();
  const writer = writable.getWriter();
  addTask(
    (async () => {
      await writer.write(encoder.encode('part A|'));
      await sleep(20);
      await writer.write(encoder.encode('part B|'));
      await sleep(20);
      await writer.write(encoder.encode('done'));
      await writer.close();
    })(),
  );
  return new Response(readable);
}

addEventListener('fetch', (event) => {
  if (new URL(event.request.url).pathname === '/transform') {
    event.respondWith(transformResponse((task) => event.waitUntil(task)));
  } else {
    event.respondWith(readableResponse());
  }
});

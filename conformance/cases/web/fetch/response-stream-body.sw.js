function textStream(parts) {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const part of parts) {
        controller.enqueue(encoder.encode(part));
      }
      controller.close();
    },
  });
}

async function errorName(promise) {
  try {
    await promise;
    return 'no error';
  } catch (error) {
    return error.name;
  }
}

async function handle(request) {
  const stream = textStream(['hello ', 'stream']);
  const response = new Response(stream);
  const sameStream = response.body === stream;
  const usedBefore = response.bodyUsed;
  const text = await response.text();
  const usedAfter = response.bodyUsed;
  const secondRead = await errorName(response.text());

  const locked = new Response(textStream(['x']));
  locked.body.getReader();
  const lockedRead = await errorName(locked.arrayBuffer());
  return Response.json({
    sameStream,
    usedBefore,
    text,
    usedAfter,
    secondRead,
    lockedRead,
    lockedUsed: locked.bodyUsed,
  });
}

addEventListener('fetch', (event) => event.respondWith(handle(event.request)));

async function handle(request) {
  const written = [];
  let release;
  const firstWriteBlocked = new Promise((resolve) => {
    release = resolve;
  });
  const stream = new WritableStream(
    {
      async write(chunk) {
        if (chunk === 1) {
          await firstWriteBlocked;
        }
        written.push(chunk);
      },
    },
    new CountQueuingStrategy({ highWaterMark: 2 }),
  );
  const writer = stream.getWriter();
  const sizes = [writer.desiredSize];
  const writes = [writer.write(1), writer.write(2), writer.write(3)];
  sizes.push(writer.desiredSize);
  release();
  await Promise.all(writes);
  sizes.push(writer.desiredSize);
  await writer.close();
  return Response.json({ sizes, written, lockedToWriter: stream.locked });
}

addEventListener('fetch', (event) => event.respondWith(handle(event.request)));

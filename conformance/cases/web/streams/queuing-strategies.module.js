async function handle(request) {
  const bytes = new ByteLengthQueuingStrategy({ highWaterMark: 16 });
  const count = new CountQueuingStrategy({ highWaterMark: 3 });
  let controller;
  new ReadableStream(
    {
      start(c) {
        controller = c;
      },
    },
    bytes,
  );
  controller.enqueue(new Uint8Array(10));
  return Response.json({
    byteHighWaterMark: bytes.highWaterMark,
    byteSize: bytes.size(new Uint8Array(7)),
    countHighWaterMark: count.highWaterMark,
    countSize: count.size('anything'),
    desiredSizeInBytes: controller.desiredSize,
    missingHighWaterMark: String(new CountQueuingStrategy({}).highWaterMark),
  });
}

export default { fetch: handle };

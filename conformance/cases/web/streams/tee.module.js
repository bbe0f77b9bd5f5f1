async function readAll(stream) {
  const chunks = [];
  for await (const chunk of stream) {
    chunks.push(chunk);
  }
  return chunks;
}

async function handle(request) {
  const source = new ReadableStream({
    start(controller) {
      controller.enqueue('x');
      controller.enqueue('y');
      controller.close();
    },
  });
  const [left, right] = source.tee();
  const [leftChunks, rightChunks] = await Promise.all([readAll(left), readAll(right)]);

  let cancelReason = null;
  const cancelled = new ReadableStream({
    cancel(reason) {
      cancelReason = reason;
    },
  });
  const [a, b] = cancelled.tee();
  await Promise.all([a.cancel('first'), b.cancel('second')]);

  let reverseCancelReason = null;
  const reversed = new ReadableStream({
    cancel(reason) {
      reverseCancelReason = reason;
    },
  });
  const [c, d] = reversed.tee();
  await Promise.all([d.cancel('second'), c.cancel('first')]);
  return Response.json({
    leftChunks,
    rightChunks,
    sourceLocked: source.locked,
    cancelReason,
    reverseCancelReason,
  });
}

export default { fetch: handle };

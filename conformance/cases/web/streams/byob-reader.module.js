async function handle(request) {
  let sawByobRequest = null;
  const stream = new ReadableStream({
    type: 'bytes',
    pull(controller) {
      sawByobRequest = controller.byobRequest !== null;
      controller.enqueue(new Uint8Array([1, 2, 3, 4, 5, 6]));
      controller.close();
    },
  });
  const reader = stream.getReader({ mode: 'byob' });
  const first = new Uint8Array(4);
  const one = await reader.read(first);
  const two = await reader.read(new Uint8Array(4));
  const three = await reader.read(new Uint8Array(4));
  return Response.json({
    readerIsByob: reader instanceof ReadableStreamBYOBReader,
    sawByobRequest,
    first: [...one.value],
    firstDone: one.done,
    originalDetached: first.byteLength === 0,
    second: [...two.value],
    third: { done: three.done, length: three.value.byteLength },
  });
}

export default { fetch: handle };

async function handle(request) {
  const encoder = new TextEncoder();
  const path = new URL(request.url).pathname;
  let sent = 0;
  const bytes = new ReadableStream({
    type: 'bytes',
    async pull(controller) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      sent += 1;
      controller.enqueue(encoder.encode(`<${sent}>`));
      if (sent === 4) {
        controller.close();
      }
    },
  });
  if (path === '/piped') {
    const upper = new TransformStream({
      transform(chunk, controller) {
        const text = new TextDecoder().decode(chunk).toUpperCase();
        controller.enqueue(encoder.encode(text));
      },
    });
    return new Response(
      ReadableStream.from(['a', 'b', 'c']).pipeThrough(new TextEncoderStream()).pipeThrough(upper),
    );
  }
  return new Response(bytes, { headers: { 'content-type': 'text/plain' } });
}

export default { fetch: handle };

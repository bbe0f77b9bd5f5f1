function slowStream(parts) {
  const encoder = new TextEncoder();
  let index = 0;
  return new ReadableStream({
    async pull(controller) {
      await new Promise((resolve) => setTimeout(resolve, 2));
      if (index === parts.length) {
        controller.close();
        return;
      }
      controller.enqueue(encoder.encode(parts[index++]));
    },
  });
}

async function handle(request) {
  const response = new Response(slowStream(['one ', 'two ', 'three']));
  const clone = response.clone();
  const [original, copied] = await Promise.all([response.text(), clone.text()]);

  const post = new Request('https://example.com/', { method: 'POST', body: slowStream(['req']) });
  const postClone = post.clone();
  const requests = await Promise.all([post.text(), postClone.text()]);

  let cloneUsed;
  try {
    response.clone();
    cloneUsed = 'no error';
  } catch (error) {
    cloneUsed = error.name;
  }
  return Response.json({ original, copied, requests, cloneUsed });
}

export default { fetch: handle };

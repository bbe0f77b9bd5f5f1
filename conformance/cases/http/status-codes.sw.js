function respondWithStatus(request) {
  const status = Number(new URL(request.url).pathname.slice(1));
  if (status === 204) {
    return new Response(null, { status });
  }
  if (status < 200) {
    try {
      return new Response(null, { status });
    } catch (error) {
      return new Response(error.name);
    }
  }
  return new Response(`status ${status}`, { status });
}

addEventListener('fetch', (event) => {
  event.respondWith(respondWithStatus(event.request));
});

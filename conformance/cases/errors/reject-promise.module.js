async function handle(request) {
  await new Promise((resolve) => setTimeout(resolve, 10));
  if (new URL(request.url).pathname === '/reject') {
    throw new Error('rejected after an await');
  }
  return new Response('still serving');
}

export default {
  fetch(request) {
    return handle(request);
  },
};

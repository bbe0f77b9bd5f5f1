const THROWN = {
  '/string': 'a string',
  '/null': null,
  '/object': { reason: 'a plain object' },
};

async function handle(request) {
  const path = new URL(request.url).pathname;
  if (path in THROWN) {
    throw THROWN[path];
  }
  return new Response('still serving');
}

export default {
  fetch(request) {
    return handle(request);
  },
};

const NOT_RESPONSES = {
  '/string': 'a string',
  '/object': { status: 200, body: 'looks like a response' },
  '/undefined': undefined,
};

addEventListener('fetch', (event) => {
  const path = new URL(event.request.url).pathname;
  if (path in NOT_RESPONSES) {
    event.respondWith(Promise.resolve(NOT_RESPONSES[path]));
  } else {
    event.respondWith(new Response('still serving'));
  }
});

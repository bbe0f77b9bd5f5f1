function respond(request) {
  const name = new URL(request.url).searchParams.get('name');
  return new Response(`Hello, ${name}!\n`, {
    headers: {
      'x-greeting': 'hello',
      'cache-control': 'no-store',
      'x-multi': 'one',
    },
  });
}

export default {
  fetch(request) {
    const response = respond(request);
    response.headers.append('x-multi', 'two');
    return response;
  },
};

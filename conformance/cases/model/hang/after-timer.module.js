async function respond(request) {
  if (new URL(request.url).pathname === '/ok') {
    return new Response('still serving');
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
  await new Promise(() => {});
  return new Response('unreachable');
}

export default {
  fetch(request) {
    return respond(request);
  },
};

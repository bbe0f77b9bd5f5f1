function respond(request) {
  if (new URL(request.url).pathname === '/never') {
    return new Promise(() => {});
  }
  return new Promise((resolve) => {
    setTimeout(() => resolve(new Response('resolved by a timer')), 100);
  });
}

export default {
  fetch(request) {
    return respond(request);
  },
};

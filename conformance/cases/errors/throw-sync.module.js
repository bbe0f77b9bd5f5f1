export default {
  // Not an async function, so the error is thrown from the call itself.
  fetch(request) {
    if (new URL(request.url).pathname === '/throw') {
      throw new Error('thrown synchronously by the handler');
    }
    return new Response('still serving');
  },
};

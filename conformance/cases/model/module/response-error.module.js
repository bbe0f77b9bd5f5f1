export default {
  fetch(request) {
    if (new URL(request.url).pathname === '/error') {
      return Response.error();
    }
    return new Response('still serving');
  },
};

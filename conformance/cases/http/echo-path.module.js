export default {
  fetch(request) {
    return new Response(new URL(request.url).pathname);
  },
};

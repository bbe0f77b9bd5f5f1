export default {
  fetch(request, env, ctx) {
    ctx.waitUntil(new Promise(() => {}));
    return new Response('responded at once');
  },
};

export default {
  fetch(request, env, ctx) {
    ctx.passThroughOnException();
    const path = new URL(request.url).pathname;
    if (path === '/sync-throw') {
      throw new Error('thrown after passThroughOnException');
    }
    if (path === '/async-throw') {
      return new Promise((resolve, reject) => {
        setTimeout(() => reject(new Error('rejected after passThroughOnException')), 10);
      });
    }
    return new Response('served by the worker');
  },
};

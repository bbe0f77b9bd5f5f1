export default {
  fetch(request, env) {
    return Response.json({
      greeting: env.GREETING,
      type: typeof env.GREETING,
      empty: env.EMPTY,
      unicode: env.UNICODE,
      missing: typeof env.NOT_BOUND,
    });
  },
};

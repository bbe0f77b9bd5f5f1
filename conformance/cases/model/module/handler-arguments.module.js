export default {
  fetch(...args) {
    const [request, env, ctx] = args;
    return Response.json({
      argumentCount: args.length,
      isRequest: request instanceof Request,
      envKeys: Object.keys(env).sort(),
      waitUntil: typeof ctx.waitUntil,
      passThroughOnException: typeof ctx.passThroughOnException,
    });
  },
};

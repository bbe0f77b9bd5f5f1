const atStartup = typeof GREETING;

export default {
  fetch(request, env) {
    return Response.json({
      atStartup,
      inHandler: typeof GREETING,
      onGlobalThis: 'GREETING' in globalThis,
      fromEnv: env.GREETING,
    });
  },
};

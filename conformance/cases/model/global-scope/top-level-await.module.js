const config = await Promise.resolve({ mode: 'ready' });
const chained = await Promise.resolve(1).then((n) => n + 1).then(async (n) => n + 1);

let bodyReadAtStartup = 'ok';
try {
  await new Response('{"from": "startup"}').json();
} catch (error) {
  bodyReadAtStartup = error.message;
}

export default {
  fetch(request) {
    return Response.json({ mode: config.mode, chained, bodyReadAtStartup });
  },
};

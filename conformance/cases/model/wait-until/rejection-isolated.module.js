const finished = [];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function finishAfter(ms, name) {
  await sleep(ms);
  finished.push(name);
}

async function failAfter(ms) {
  await sleep(ms);
  throw new Error('this waitUntil task fails on purpose');
}

function respond(request, waitUntil) {
  if (new URL(request.url).pathname === '/start') {
    waitUntil(finishAfter(200, 'added before'));
    waitUntil(Promise.reject(new Error('this waitUntil task is rejected from the start')));
    waitUntil(failAfter(50));
    waitUntil(finishAfter(250, 'added after'));
    return new Response('tasks started');
  }
  return Response.json(finished);
}

export default {
  fetch(request, env, ctx) {
    return respond(request, (task) => ctx.waitUntil(task));
  },
};

let taskState = 'not started';

async function backgroundTask() {
  taskState = 'running';
  await new Promise((resolve) => setTimeout(resolve, 1000));
  taskState = 'finished';
}

function respond(request, waitUntil) {
  if (new URL(request.url).pathname === '/start') {
    waitUntil(backgroundTask());
    return new Response('task started');
  }
  return new Response(`task state: ${taskState}`);
}

export default {
  fetch(request, env, ctx) {
    return respond(request, (task) => ctx.waitUntil(task));
  },
};

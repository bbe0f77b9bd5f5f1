const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let initializerRuns = 0;
let configPromise = null;

function getConfig() {
  if (configPromise === null) {
    initializerRuns += 1;
    configPromise = sleep(200).then(() => ({ state: 'ready' }));
  }
  return configPromise;
}

async function respond(request) {
  const path = new URL(request.url).pathname;
  // The request that did not start the initializer has no pending work of its own, and
  // the Workers hang detector would cancel it, so each request also waits on its own timer.
  const config = await Promise.race([getConfig(), sleep(2000).then(() => ({ state: 'timed out' }))]);
  return new Response(`${path}: config ${config.state}, initializer runs: ${initializerRuns}`);
}

export default {
  fetch(request) {
    return respond(request);
  },
};

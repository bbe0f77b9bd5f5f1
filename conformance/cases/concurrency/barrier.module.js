const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let arrivals = 0;
let openGate;
const gate = new Promise((resolve) => (openGate = resolve));

async function waitAtGate(request) {
  const path = new URL(request.url).pathname;
  arrivals += 1;
  if (arrivals === 2) {
    openGate();
  }
  // The timer keeps this request busy with work of its own while it waits. Without it,
  // the Workers hang detector cancels a request that waits only on another request.
  const opened = await Promise.race([gate.then(() => true), sleep(2000).then(() => false)]);
  if (!opened) {
    return new Response(`${path}: timed out after ${arrivals} arrival(s)`, { status: 504 });
  }
  return new Response(`${path}: gate opened`);
}

export default {
  fetch(request) {
    return waitAtGate(request);
  },
};

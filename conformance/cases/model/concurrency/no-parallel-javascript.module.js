const BUSY_ITERATIONS = 500_000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let activeSections = 0;
let maxActiveSections = 0;

function busySection() {
  activeSections += 1;
  maxActiveSections = Math.max(maxActiveSections, activeSections);
  let sum = 0;
  for (let i = 0; i < BUSY_ITERATIONS; i++) {
    sum = (sum + i) % 1_000_003;
  }
  activeSections -= 1;
  return sum;
}

async function respond() {
  for (let round = 0; round < 3; round++) {
    busySection();
    await sleep(5);
  }
  // Wait for the other requests to finish their sections before reporting.
  await sleep(300);
  return new Response(`max busy sections at once: ${maxActiveSections}`);
}

export default {
  fetch(request) {
    return respond();
  },
};

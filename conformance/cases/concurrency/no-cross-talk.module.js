const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export default {
  async fetch(request) {
    const item = Number(new URL(request.url).pathname.split('/')[2]);
    // Higher item numbers wake earlier, so the handlers resume in another order than they started.
    await sleep((6 - item) * 40);
    return new Response(`${new URL(request.url).pathname} ${request.headers.get('x-edgecase-id')}`);
  },
};

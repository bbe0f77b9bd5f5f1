export default {
  fetch(request) {
    switch (new URL(request.url).pathname) {
      case '/string':
        return 'a string';
      case '/object':
        return { status: 200, body: 'looks like a response' };
      case '/undefined':
        return undefined;
      case '/async-string':
        return Promise.resolve('a string from a promise');
      default:
        return new Response('still serving');
    }
  },
};

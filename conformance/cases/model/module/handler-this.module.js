export default {
  greeting: 'hello from this',
  format(text) {
    return `[${text}]`;
  },
  fetch(request) {
    return new Response(this.format(this.greeting));
  },
};

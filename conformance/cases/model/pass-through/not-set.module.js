export default {
  async fetch(request) {
    throw new Error('no fail-open was requested');
  },
};

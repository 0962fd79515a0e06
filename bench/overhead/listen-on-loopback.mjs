// Preloaded into Portkey's server (`node --import`), which listens on every interface and has no host
// option: a listen() without a host is bound to 127.0.0.1, so the benchmark never opens a public port.
import net from 'node:net';

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function listenOnLoopback(...args) {
  const [first, second] = args;
  if (typeof first === 'number' && typeof second !== 'string') {
    return listen.call(this, first, '127.0.0.1', ...args.slice(1).filter((arg) => typeof arg === 'function'));
  }
  return listen.apply(this, args);
};

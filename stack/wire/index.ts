/** The wire codecs in one import: byte-exact, pure parse/emit of every frame the stack sends or receives. */

export * from './errors.js';
export * from './bytes.js';
export * from './addr.js';
export * from './checksum.js';
export * from './ethernet.js';
export * from './arp.js';
export * from './ipv4.js';
export * from './ipv6.js';
export * from './udp.js';
export * from './tcp.js';
export * from './icmpv4.js';
export * from './icmpv6.js';
export * from './pcap.js';

// Public surface of the native wire: the handshake over a socket, the channel it yields, and the pieces a node needs to route connections.

export { detectWire, type DetectedWire } from './detect-wire.js';
export { deriveNativeKey, isEmptyPasswordKey, PASSWORD_KEY_ITERATIONS } from './password-key.js';
export {
  clientHandshake,
  serverHandshake,
  type SocketHandshakeOptions,
  type ServerSocketHandshakeOptions,
} from './socket-handshake.js';
export { NativeChannel } from './native-channel.js';
export { preloadNativeWire } from './lazy-deps.js';
export { ClientHandshake, ServerHandshake, type HandshakeOptions, type HandshakeStep } from './handshake.js';
export { NativeSession } from './native-session.js';
export { FrameDecoder, encodeFrame } from './frame-decoder.js';
export { MessageCodec } from './message-codec.js';
export { HandshakeAuthError, type HandshakeAuthReason } from './errors.js';
export { DEFAULT_MAX_FRAME_BYTES, DEFAULT_HANDSHAKE_TIMEOUT_MS, NATIVE_MAGIC, NATIVE_VERSION } from './constants.js';

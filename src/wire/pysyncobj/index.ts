// Public surface of the PySyncObj admin wire: framing, codecs, encryption and handshakes. No Raft.
export { DEFAULT_MAX_FRAME_BYTES, FrameDecoder, encodeFrame } from './frame.js';
export { FernetCodec } from './fernet.js';
export { derivePysyncobjKey, PYSYNCOBJ_SALT } from './key.js';
export { MessageCodec } from './message-codec.js';
export { readPickle } from './pickle-reader.js';
export { writePickle } from './pickle-writer.js';
export { PyFloat, PyNode, PyTuple, pyRepr, pyStr, type PyKey, type PyValue } from './py-values.js';
export { PysyncobjClientSession, type ClientPhase, type ClientStep } from './client-session.js';
export { PysyncobjServerSession, type ServerStep } from './server-session.js';

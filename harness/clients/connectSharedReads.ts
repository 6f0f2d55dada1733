import net from 'node:net';

/**
 * Where every socket opened with {@link connectSharedReads} on this thread reads (net `onread`).
 * Node's default allocates a fresh 64 KiB Buffer per read; at the fan-out benchmark's read rates
 * that garbage kept V8's GC helper threads at about a quarter of a core, on the machine the engine
 * under test also needs.
 */
const READ_BUFFER = new Uint8Array(64 * 1024);

/**
 * `net.connect` to host:port (Nagle off) whose reads land in this thread's one reused buffer:
 * `onChunk` gets a view of it that is valid only during the call, since the next read of any such
 * socket overwrites it. A reader that keeps bytes past the call must copy them
 * (FrameReader.retainUnread). The socket still emits 'connect', 'error' and 'close', and
 * pause()/resume() work as usual; it emits no 'data'.
 */
export function connectSharedReads(host: string, port: number, onChunk: (chunk: Uint8Array) => void): net.Socket {
  return net.connect({
    host, port, noDelay: true,
    onread: { buffer: READ_BUFFER, callback: (bytes, buffer) => {
      onChunk(buffer.subarray(0, bytes));
      return true; // keep reading (a caller that wants to stop pauses the socket)
    } },
  });
}

// What a bind of /dev/ringpipe to a name asks for, and what the driver answered.

export interface DriverRequest {
  capacity: number;
  /** MODE_MESSAGE or MODE_BYTE; undefined adopts the existing pipe's mode (message for a new one). */
  mode: number | undefined;
  permissions: number;
  access: 'read' | 'write' | 'readwrite';
  follow: boolean;
  /** The uid an existing pipe must belong to (root's are trusted too); undefined: the caller's euid. */
  owner: number | undefined;
  /** Milliseconds a new pipe may stay kept with no handle (unread messages); undefined: no limit. */
  ttl?: number | undefined;
}

export interface Bound {
  fd: number;
  /** Whether this bind created the pipe, and the uid that owns it. */
  created: boolean;
  owner: number;
  readWrite: boolean;
  capacity: number;
  mode: number;
  slot: number;
  maxRecord: number;
}

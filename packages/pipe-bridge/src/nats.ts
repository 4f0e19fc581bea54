// The values this package takes from @nats-io/*. Those packages are CommonJS, and Node finds
// their named exports only where its lexer follows their re-exports (not through Wine's drive
// paths, for one), so the values are read from the module object, which always works.
import transport from '@nats-io/transport-node';
import jetstreamModule from '@nats-io/jetstream';

export const { connect, credsAuthenticator, nanos, errors } = transport;
export const { jetstream, jetstreamManager, AckPolicy, DeliverPolicy, DiscardPolicy, RetentionPolicy, StorageType, JetStreamApiError, JetStreamApiCodes } = jetstreamModule;

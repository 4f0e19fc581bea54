// What a NATS or JetStream error means to the bridge, by the error's class and code
// (@nats-io/* error classes, JetStream API error codes), never by its text.
import { errors, JetStreamApiCodes, JetStreamApiError } from './nats.js';

/** JetStream API error codes the bridge acts on, beside those @nats-io/jetstream names. */
const ApiCode = {
  /** JSClusterNotAvailErr: "JetStream system temporarily unavailable". */
  NotAvailable: 10008,
  /** JSClusterNotLeaderErr: the server asked is not the meta leader (a cluster electing one). */
  NotLeader: 10009,
  /** JSClusterNoPeersErrF: no peers to place the stream on yet (nodes still joining). */
  NoPeers: 10005,
  /** JSInsufficientResourcesErr. */
  InsufficientResources: 10023,
  /** JSStreamWrongLastMsgIDErrF: Nats-Expected-Last-Msg-Id is not the stream's last message id. */
  WrongLastMessageId: 10070,
} as const;

const RETRY_CODES: ReadonlySet<number> = new Set([ApiCode.NotAvailable, ApiCode.NotLeader, ApiCode.NoPeers, ApiCode.InsufficientResources]);

function apiCode(err: unknown): number | undefined {
  return err instanceof JetStreamApiError ? err.code : undefined;
}

/** The stream or consumer asked for does not exist. */
export function isNotFound(err: unknown): boolean {
  const code = apiCode(err);
  return code === JetStreamApiCodes.StreamNotFound || code === JetStreamApiCodes.ConsumerNotFound;
}

/** `err` and the errors it wraps (`cause`), outermost first. */
function* causes(err: unknown): Generator<unknown> {
  for (let e = err, depth = 0; e !== undefined && depth < 4; e = (e as { cause?: unknown } | null)?.cause, depth++) yield e;
}

/** JetStream is not ready yet (no answer in time, nobody answering, a cluster electing its leader): worth another try. */
export function isNotReady(err: unknown): boolean {
  for (const e of causes(err)) if (notReady(e)) return true;
  return false;
}

function notReady(err: unknown): boolean {
  if (err instanceof errors.TimeoutError || err instanceof errors.RequestError || err instanceof errors.NoRespondersError) return true;
  if (err instanceof errors.ConnectionError) return true;
  if (err instanceof JetStreamApiError) return err.status === 503 || RETRY_CODES.has(err.code);
  return false;
}

/** The server refused the credentials. */
export function isAuthError(err: unknown): boolean {
  for (const e of causes(err)) if (e instanceof errors.AuthorizationError || e instanceof errors.UserAuthenticationExpiredError) return true;
  return false;
}

/** A publish refused because the message it expects before it is not the stream's last. */
export function isWrongLastMessageId(err: unknown): boolean {
  return apiCode(err) === ApiCode.WrongLastMessageId;
}

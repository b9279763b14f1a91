/**
 * An error answered in the shape AWS KMS uses on the wire: HTTP status (400 for client faults,
 * 500 for service faults) and a JSON body `{ "__type": "<Name>", "message": "..." }`, which the
 * AWS SDK turns into an exception whose `name` is `<Name>`.
 */
export class KmsFault extends Error {
  readonly type: string;
  readonly status: number;
  constructor(type: string, message: string, status = 400) {
    super(message);
    this.name = 'KmsFault';
    this.type = type;
    this.status = status;
  }
}

export const notFound = (what: string): KmsFault =>
  new KmsFault('NotFoundException', `${what} is not found.`);

export const validation = (message: string): KmsFault =>
  new KmsFault('ValidationException', message);

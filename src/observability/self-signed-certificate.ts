// A throwaway self-signed X.509 certificate (ECDSA P-256), built with node:crypto and a minimal DER
// encoder, because Node has no API to create certificates. Used by `run --metrics-secure` when no
// certificate is mounted (Prometheus then scrapes with insecureSkipVerify, as for controller-runtime's
// self-signed metrics certificate). The fake Kubernetes API serves https the same way (kubectl only
// sends bearer tokens to https servers). The fake's package depends on nothing of the product, so
// it keeps its own copy (packages/fake-kube-apiserver/src/self-signed-certificate.ts), as it does for
// http-listen.ts.

import { generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { isIPv4 } from "node:net";

export interface SelfSignedCertificate {
  readonly certPem: string;
  readonly keyPem: string;
}

function der(tag: number, content: Buffer): Buffer {
  const length = content.length;
  let header: Buffer;
  if (length < 0x80) header = Buffer.from([tag, length]);
  else if (length < 0x100) header = Buffer.from([tag, 0x81, length]);
  else header = Buffer.from([tag, 0x82, length >> 8, length & 0xff]);
  return Buffer.concat([header, content]);
}

const sequence = (...parts: Buffer[]): Buffer => der(0x30, Buffer.concat(parts));
const set = (...parts: Buffer[]): Buffer => der(0x31, Buffer.concat(parts));
const explicit = (n: number, content: Buffer): Buffer => der(0xa0 + n, content);

/**
 * A DER INTEGER holding the unsigned big-endian number `bytes`, in its one valid (minimal) encoding:
 * redundant leading zero octets dropped, one zero octet put back when the first remaining octet has
 * its top bit set (it would otherwise read as negative). OpenSSL refuses any other form ("illegal
 * padding"), so this is the only place that turns a number into an INTEGER.
 * @internal exported for its tests
 */
export function derInteger(bytes: Uint8Array): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start += 1;
  const digits = Buffer.from(bytes.subarray(start));
  if (digits.length === 0) return der(0x02, Buffer.from([0]));
  return der(0x02, (digits[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), digits]) : digits);
}

/** A positive, non-zero 16-octet serial number (RFC 5280 4.1.2.2: positive, at most 20 octets). */
function randomSerial(): Buffer {
  const serial = randomBytes(16);
  serial[0] = ((serial[0] ?? 0) & 0x7f) || 0x01;
  return serial;
}

export interface SelfSignedCertificateOptions {
  /** The moment the certificate is made (valid from an hour before, for ten years). */
  readonly now?: Date;
  readonly commonName?: string;
  /** The serial number's octets (unsigned, big-endian); random when not given. */
  readonly serial?: Uint8Array;
}

function objectId(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split(".").map(Number);
  const bytes = [first * 40 + second];
  for (const value of rest) {
    const chunk = [value & 0x7f];
    for (let v = value >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return der(0x06, Buffer.from(bytes));
}

function utcTime(date: Date): Buffer {
  const text = date.toISOString().replace(/[-:T]/g, "").slice(2, 14) + "Z";
  return der(0x17, Buffer.from(text, "ascii"));
}

function pem(label: string, body: Buffer): string {
  const lines = body.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/** A certificate for `hosts` (IPv4 literals become IP SANs, anything else DNS SANs), valid for ~10 years. */
export function createSelfSignedCertificate(hosts: readonly string[], options: SelfSignedCertificateOptions = {}): SelfSignedCertificate {
  const { now = new Date(), commonName = "fake-kube", serial = randomSerial() } = options;
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const signatureAlgorithm = sequence(objectId("1.2.840.10045.4.3.2")); // ecdsa-with-SHA256
  const name = sequence(set(sequence(objectId("2.5.4.3"), der(0x0c, Buffer.from(commonName, "utf8")))));
  const notBefore = new Date(now.getTime() - 60 * 60 * 1000);
  const notAfter = new Date(now.getTime() + 10 * 365 * 24 * 60 * 60 * 1000);
  const altNames = [...new Set(hosts)].map((host) =>
    isIPv4(host) ? der(0x87, Buffer.from(host.split(".").map(Number))) : der(0x82, Buffer.from(host, "ascii")),
  );
  const subjectAltName = sequence(objectId("2.5.29.17"), der(0x04, sequence(...altNames)));
  const tbs = sequence(
    explicit(0, derInteger(Buffer.from([2]))),
    derInteger(serial),
    signatureAlgorithm,
    name,
    sequence(utcTime(notBefore), utcTime(notAfter)),
    name,
    publicKey.export({ type: "spki", format: "der" }),
    explicit(3, sequence(subjectAltName)),
  );
  const signature = sign("sha256", tbs, { key: privateKey, dsaEncoding: "der" });
  const certificate = sequence(tbs, signatureAlgorithm, der(0x03, Buffer.concat([Buffer.from([0]), signature])));
  return { certPem: pem("CERTIFICATE", certificate), keyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString() };
}

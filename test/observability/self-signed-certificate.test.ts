// The self-signed certificates of `run --metrics-secure` and of the fake Kubernetes API (its own copy
// of the encoder) must be accepted by OpenSSL every time. A serial whose first octet came out 0x00
// with the next octet below 0x80 used to be encoded with a redundant leading zero, which OpenSSL
// refuses ("illegal padding"): about one certificate in 256.
import { X509Certificate } from "node:crypto";
import { createSecureContext } from "node:tls";
import { createSelfSignedCertificate as fakeCertificate } from "@vpc-route-sync/fake-kube-apiserver";
import { describe, expect, it } from "vitest";
import { createSelfSignedCertificate as productCertificate, derInteger } from "../../src/observability/self-signed-certificate.js";

const GENERATED = 2000;

const makers = [
  ["product (run --metrics-secure)", productCertificate],
  ["fake Kubernetes API", fakeCertificate],
] as const;

function accepted(certPem: string, keyPem: string): X509Certificate {
  createSecureContext({ cert: certPem, key: keyPem });
  return new X509Certificate(certPem);
}

describe("derInteger", () => {
  it.each([
    [[0x00], "020100"],
    [[0x00, 0x00, 0x00], "020100"],
    [[0x05], "020105"],
    [[0x7f], "02017f"],
    [[0x80], "02020080"],
    [[0x00, 0x12, 0x34], "02021234"],
    [[0x00, 0x7f], "02017f"],
    [[0x00, 0x80], "02020080"],
    [[0x00, 0x00, 0x80, 0x01], "0203008001"],
    [[0xff, 0x00], "020300ff00"],
  ])("encodes %j minimally as %s", (bytes, hex) => {
    expect(derInteger(Uint8Array.from(bytes)).toString("hex")).toBe(hex);
  });
});

describe.each(makers)("self-signed certificate: %s", (_name, make) => {
  // The exact serials that failed: a leading 0x00 followed by an octet below 0x80.
  it.each([
    ["00 then 0x00", [0x00, 0x00, ...Array<number>(14).fill(0x11)]],
    ["00 then 0x01", [0x00, 0x01, ...Array<number>(14).fill(0xab)]],
    ["00 then 0x7f", [0x00, 0x7f, ...Array<number>(14).fill(0xff)]],
    ["00 then 0x80", [0x00, 0x80, ...Array<number>(14).fill(0x00)]],
  ])("is accepted by OpenSSL with the serial %s", (_label, serial) => {
    const { certPem, keyPem } = make(["127.0.0.1", "localhost"], { serial: Uint8Array.from(serial) });
    const certificate = accepted(certPem, keyPem);
    const expected = Buffer.from(serial).toString("hex").replace(/^(00)+/, "").toUpperCase();
    expect(certificate.serialNumber.replace(/^0+/, "")).toBe(expected.replace(/^0+/, ""));
  });

  it(`is accepted by OpenSSL every time (${GENERATED} random certificates)`, () => {
    const refused: string[] = [];
    for (let i = 0; i < GENERATED; i += 1) {
      const { certPem, keyPem } = make(["127.0.0.1", "localhost"]);
      try {
        const certificate = accepted(certPem, keyPem);
        // Positive (top bit of the first octet clear) and never zero.
        expect(/^[0-7]/.test(certificate.serialNumber.padStart(32, "0"))).toBe(true);
        expect(/[1-9A-F]/.test(certificate.serialNumber)).toBe(true);
      } catch (error) {
        refused.push(String(error));
      }
    }
    expect(refused).toEqual([]);
  });

  it("names its hosts and is valid now", () => {
    const now = new Date("2026-12-06T00:00:00Z");
    const { certPem } = make(["127.0.0.1", "localhost"], { now, commonName: "probe" });
    const certificate = new X509Certificate(certPem);
    expect(certificate.subjectAltName).toBe("IP Address:127.0.0.1, DNS:localhost");
    expect(certificate.subject).toBe("CN=probe");
    expect(new Date(certificate.validFrom).getTime()).toBeLessThan(now.getTime());
    expect(new Date(certificate.validTo).getTime()).toBeGreaterThan(now.getTime());
  });
});

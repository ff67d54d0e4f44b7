// Value-based redaction of credentials in already-serialized text (log lines, error output).
// Field-path redaction in the logger catches secrets where we expect them; this catches them where
// we do not: inside error messages, stacks, echoed request bodies and headers. Known secret values
// are replaced in every encoding in which they can show up in a line, and a few shapes that are
// always sensitive (Authorization header values, Bearer tokens, STS tokens, `securityToken=...`, the
// user info of a URL) are replaced even when their value is not known in advance.

export const REDACTED = "[redacted]";

/**
 * Known secret values shorter than this are not replaced by value: real AccessKey secrets are 30
 * characters and STS tokens hundreds, while replacing a 2-letter "secret" everywhere would make
 * every log line unreadable without protecting anything.
 * @internal exported for tests
 */
export const MIN_SECRET_LENGTH = 6;

/** A function returning the secret values known right now (may change when credentials rotate). */
export type SecretSource = () => readonly (string | undefined | null)[];

// Keys whose values are credentials. No word boundary in front on purpose: in a serialized line a
// header often follows an escaped newline (`\r\nAuthorization: ...` in JSON text), and over-matching
// "x-acs-security-token" or "proxy-authorization" is what we want anyway.
const SENSITIVE_KEY = String.raw`authorization|security[-_]?token|access[-_]?key[-_]?secret|oidc[-_]?token|client[-_]?secret|password`;

// `"key": "value"` in JSON, also when the JSON is itself escaped inside a string (\"key\":\"value\"),
// and `key: 'value'` as util.inspect prints it.
// Only the characters up to the closing quote (or a backslash, which starts its escape) are replaced,
// so the surrounding JSON stays valid.
const QUOTED_PAIR = new RegExp(String.raw`((?:${SENSITIVE_KEY})(?:\\*["'])?\s*[:=]\s*\\*["'])[^"'\\\r\n]+`, "gi");

// `Authorization: ACS3-HMAC-SHA256 Credential=...` in text (HTTP dumps): the whole rest of the value.
const TEXT_AUTHORIZATION = new RegExp(String.raw`(authorization\s*[:=]\s*)(?!\\*["'{\[])[^"'\\\r\n]+`, "gi");

// `securityToken=abc`, `password: abc` in text: one token.
const TEXT_PAIR = new RegExp(String.raw`((?:${SENSITIVE_KEY})\s*[:=]\s*)(?!\\*["'{\[])[^"'\\\s,&;)}\]]+`, "gi");

const BEARER = /(\bBearer\s+)[A-Za-z0-9._~+/=-]{8,}/g;

// Alibaba Cloud STS security tokens are long base64 strings that start with "CAIS".
const STS_TOKEN = /\bCAIS[A-Za-z0-9+/=_-]{40,}/g;

// `scheme://user:password@host` (a kubeconfig server, a proxy URL): everything between "//" and the
// last "@" of the URL, since a password may itself hold "@" or "/".
const URL_USER_INFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s"'<>`]*@/gi;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
}

// The spellings of one secret value that can appear in a serialized line.
function encodings(secret: string): string[] {
  // A JSON body quoted in an error message that is itself logged as JSON: escaped up to 4 times.
  const escaped = [secret];
  for (let i = 0; i < 4; i++) escaped.push(JSON.stringify(escaped[i]).slice(1, -1));
  const uri = encodeURIComponent(secret);
  // Alibaba's RPC signing percent-encodes these too (RFC 3986).
  const rfc3986 = uri.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const lowerHex = rfc3986.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase());
  return [...escaped, uri, rfc3986, lowerHex, encodeURIComponent(uri)];
}

/**
 * Values in `text` (a kubeconfig, a cloud-config, a dump file) that could be secrets, when which
 * ones are is not known: every scalar of MIN_SECRET_LENGTH or more characters after a `:` or `=`,
 * every quoted string that long, and every word of 16 or more characters.
 */
function valuesOf(text: string): string[] {
  const values = new Set<string>();
  for (const match of text.matchAll(new RegExp(String.raw`[:=]\s*["']?([^\s"',}\]]{${MIN_SECRET_LENGTH},})`, "g"))) values.add(match[1]!);
  for (const match of text.matchAll(new RegExp(String.raw`"([^"\n]{${MIN_SECRET_LENGTH},})"`, "g"))) values.add(match[1]!);
  for (const word of text.split(/[\s"',:{}[\]=]+/)) if (word.length >= 16) values.add(word);
  return [...values];
}

/** `message` (a parser's complaint about `text`) scrubbed of every value `text` holds that could be a secret. */
export function redactValuesOf(message: string, text: string): string {
  return scrubSecrets(message, valuesOf(text));
}

/** Scrubs one text with a fixed list of secret values: createSecretScrubber for a single use. */
export function scrubSecrets(text: string, secrets: readonly string[] | undefined): string {
  return createSecretScrubber(() => secrets ?? [])(text);
}

/**
 * Build a function that replaces credentials in text with `[redacted]`. `secrets` is called on each
 * use (cheaply: the compiled pattern is cached until the set of values changes).
 */
export function createSecretScrubber(secrets: SecretSource = () => []): (text: string) => string {
  let cachedKey: string | undefined;
  let cachedPattern: RegExp | undefined;

  let lastValues: readonly (string | undefined | null)[] = [];

  const knownValuePattern = (): RegExp | undefined => {
    try {
      lastValues = secrets();
    } catch {
      // A failing source must not stop logging (the failure is probably what is being logged);
      // keep scrubbing the values it returned last.
    }
    const values = lastValues.filter((s): s is string => typeof s === "string" && s.length >= MIN_SECRET_LENGTH);
    const key = values.join("\u0000");
    if (key !== cachedKey) {
      cachedKey = key;
      const variants = [...new Set(values.flatMap(encodings))].sort((a, b) => b.length - a.length);
      cachedPattern = variants.length > 0 ? new RegExp(variants.map(escapeRegExp).join("|"), "g") : undefined;
    }
    return cachedPattern;
  };

  return (text: string): string => {
    let out = text;
    const known = knownValuePattern();
    if (known !== undefined) out = out.replace(known, REDACTED);
    return out
      .replace(QUOTED_PAIR, `$1${REDACTED}`)
      .replace(TEXT_AUTHORIZATION, `$1${REDACTED}`)
      .replace(TEXT_PAIR, `$1${REDACTED}`)
      .replace(BEARER, `$1${REDACTED}`)
      .replace(STS_TOKEN, REDACTED)
      .replace(URL_USER_INFO, `$1${REDACTED}@`);
  };
}

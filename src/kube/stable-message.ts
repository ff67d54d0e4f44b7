// What a Node condition or an Event says must stay the same while the fact stays the same, or
// neither deduplicates: a cloud error's message names the request that failed ("request id 5A3E…",
// "requestId=…" in Alibaba's troubleshooting link), which is new on every call, so each pass would
// patch the condition and record a new Event (issue 20, item 2). Request ids stay in the logs (the
// adapter logs each failed call with its requestId); messages meant for Kubernetes drop them here.

/** "request id X", "RequestId: X", "requestId=X", with the separator before it. */
const REQUEST_ID = /[,;]?[ \t]*\brequest[ _-]?id\b[ \t]*[:=]?[ \t]*[0-9A-Za-z][0-9A-Za-z-]{5,}/gi;

/** `text` without request ids (and without the empty "()" or trailing separator they leave). */
export function stableMessage(text: string): string {
  if (!/request[ _-]?id/i.test(text)) return text;
  return text
    .replace(REQUEST_ID, "")
    .replace(/\(\s*\)/g, "")
    .replace(/[ \t]+([),.;])/g, "$1")
    .replace(/^[,;][ \t]*/, "")
    .trim();
}

import { describe, expect, it } from "vitest";
import { stableMessage } from "../../src/kube/stable-message.js";
import { classifyError } from "../../src/cloud/alibaba/classify-error.js";

describe("stableMessage: no request id in what Kubernetes is told (issue 20, item 2)", () => {
  it.each([
    ["the VPC API is throttling requests (Throttling.User, Request was denied due to user flow control., request id 5A3E9C1D-0B7F-4E8A-9C3D-2F1E0A9B8C7D)", "the VPC API is throttling requests (Throttling.User, Request was denied due to user flow control.)"],
    ["cannot create 10.0.0.0/24: ServiceUnavailable: the VPC API failed (ServiceUnavailable, request id ABCDEF12-3456)", "cannot create 10.0.0.0/24: ServiceUnavailable: the VPC API failed (ServiceUnavailable)"],
    ["failed (request id 0123456789)", "failed"],
    ["see https://api.aliyun.com/troubleshoot?q=X&product=Vpc&requestId=5A3E9C1D-0B7F now", "see https://api.aliyun.com/troubleshoot?q=X&product=Vpc& now"],
    ["RequestId: 5A3E9C1D-0B7F-4E8A; quota exceeded", "quota exceeded"],
  ])("%s", (input, expected) => {
    expect(stableMessage(input)).toBe(expected);
  });

  it("leaves messages without a request id as they are", () => {
    const text = "route 10.244.1.0/24 in vtb-1 is held back this pass";
    expect(stableMessage(text)).toBe(text);
  });

  it("two failures of the same kind that differ only in their request ids read the same", () => {
    const failure = (id: string) =>
      classifyError({ name: "ServerError", code: "ServiceUnavailable", statusCode: 503, data: { Message: "try later", RequestId: id }, requestId: id, isAlibabaCloudError: true });
    const a = failure("11111111-2222-3333-4444-555555555555");
    const b = failure("66666666-7777-8888-9999-000000000000");
    expect(a.message).not.toBe(b.message);
    expect(stableMessage(a.message)).toBe(stableMessage(b.message));
    expect(stableMessage(a.message)).not.toMatch(/1111/);
  });
});

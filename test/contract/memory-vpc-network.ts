// In-memory VpcNetworkSource for tests of the reconcile pass: a fixed network per VPC, or a
// CloudError to throw (a network that cannot be read). Reads are counted.
import { CloudError } from "../../src/cloud/errors.js";
import type { VpcNetwork, VpcNetworkSource } from "../../src/cloud/vpc-network.js";

export class MemoryVpcNetwork implements VpcNetworkSource {
  reads = 0;
  #answer: VpcNetwork | CloudError;

  constructor(answer: VpcNetwork | CloudError) {
    this.#answer = answer;
  }

  set(answer: VpcNetwork | CloudError): void {
    this.#answer = answer;
  }

  read(vpcId: string | undefined): Promise<VpcNetwork[]> {
    this.reads++;
    const answer = this.#answer;
    if (answer instanceof CloudError) return Promise.reject(answer);
    if (vpcId !== undefined && vpcId !== answer.vpcId) {
      return Promise.reject(new CloudError(`VPC ${vpcId} does not exist`, { code: "InvalidVpcId.NotFound", kind: "not-found", retryable: false }));
    }
    return Promise.resolve([answer]);
  }
}

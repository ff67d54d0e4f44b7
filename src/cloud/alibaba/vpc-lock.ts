// One writer per VPC inside an adapter: the API rejects a write to a VPC while another change is
// in flight, so writes to tables of one VPC are chained; different VPCs write in parallel.
export class VpcLock {
  /** Tail of the write chain of each VPC. */
  readonly #tails = new Map<string, Promise<unknown>>();

  /** Runs `work` after every earlier holder of `vpcId` finished (whether it failed or not). */
  async exclusive<T>(vpcId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(vpcId) ?? Promise.resolve();
    const run = previous.then(work, work);
    const tail = run.catch(() => undefined);
    this.#tails.set(vpcId, tail);
    try {
      return await run;
    } finally {
      if (this.#tails.get(vpcId) === tail) this.#tails.delete(vpcId);
    }
  }
}

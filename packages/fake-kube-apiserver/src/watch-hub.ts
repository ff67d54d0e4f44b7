// All open watch streams: fans store changes out to them, and lets fault injection drop them or
// send bookmarks to them.

import type { ObjectStore } from "./object-store.ts";
import type { DropMode } from "./faults.ts";
import type { WatchStream } from "./watch-stream.ts";

export class WatchHub {
  readonly #streams = new Set<WatchStream>();
  readonly #store: ObjectStore;
  readonly #unsubscribe: () => void;

  constructor(store: ObjectStore) {
    this.#store = store;
    this.#unsubscribe = store.subscribe((change) => {
      for (const stream of [...this.#streams]) stream.deliver(change);
    });
  }

  add(stream: WatchStream): void {
    this.#streams.add(stream);
  }

  remove(stream: WatchStream): void {
    this.#streams.delete(stream);
  }

  get size(): number {
    return this.#streams.size;
  }

  descriptions(): string[] {
    return [...this.#streams].map((s) => s.description);
  }

  dropAll(mode: DropMode): number {
    const streams = [...this.#streams];
    this.#streams.clear();
    for (const stream of streams) {
      if (mode === "reset") stream.reset();
      else stream.close();
    }
    return streams.length;
  }

  bookmarkAll(): number {
    let sent = 0;
    for (const stream of this.#streams) {
      if (stream.bookmark(this.#store.resourceVersion)) sent++;
    }
    return sent;
  }

  close(): void {
    this.#unsubscribe();
    this.dropAll("close");
  }
}

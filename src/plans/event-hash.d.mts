import type { EventBody } from './access-chain.js';

export declare const GENESIS_HASH: string;
export declare function eventHash(prevHash: string, e: EventBody): string;

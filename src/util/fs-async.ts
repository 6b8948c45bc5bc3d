// Promise forms of the few asynchronous file calls kg-init makes, on Node's
// callback API: `node:fs/promises` would be loaded for them, and with it
// Node's readline internals (FileHandle.readLines), a couple of milliseconds
// of every run's start-up.
import { chmod as chmodCb, lstat as lstatCb, mkdir as mkdirCb, readdir as readdirCb, stat as statCb, writeFile as writeFileCb, type Stats } from 'node:fs';

type Done<T> = (e: NodeJS.ErrnoException | null, v: T) => void;
const promised = <T>(call: (done: Done<T>) => void): Promise<T> =>
  new Promise((resolve, reject) => call((e, v) => (e ? reject(e) : resolve(v))));

export const stat = (p: string): Promise<Stats> => promised((d) => statCb(p, d));
export const lstat = (p: string): Promise<Stats> => promised((d) => lstatCb(p, d));
export const readdir = (p: string): Promise<string[]> => promised((d) => readdirCb(p, d));
export const mkdir = (p: string, mode: number): Promise<void> => promised<string | undefined>((d) => mkdirCb(p, { mode }, d)).then(() => undefined);
export const chmod = (p: string, mode: number): Promise<void> => promised<void>((d) => chmodCb(p, mode, (e) => d(e, undefined)));
export const writeFile = (p: string, data: string, opts: { mode?: number } = {}): Promise<void> =>
  promised<void>((d) => writeFileCb(p, data, opts, (e) => d(e, undefined)));

import { cliErrors } from '../cli-errors.js';

const BINARY: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };
const DECIMAL: Record<string, number> = { k: 1e3, m: 1e6, g: 1e9, t: 1e12, p: 1e15 };

function parseSize(input: string, units: Record<string, number>): number {
  const m = /^(\d+(?:\.\d*)?|\.\d+) ?([a-zA-Z]*)$/.exec(input);
  if (m === null || m[1] === undefined) throw cliErrors.make('INVALID_FLAG', `invalid size: '${input}'`);
  const num = Number(m[1]);
  const sfx = (m[2] ?? '').toLowerCase();
  if (sfx === '') return Math.trunc(num);
  const bad = () => cliErrors.make('INVALID_FLAG', `invalid suffix: '${sfx}'`);
  if (sfx.length > 3) throw bad();
  if (sfx[0] === 'b') {
    if (sfx.length > 1) throw bad();
    return Math.trunc(num);
  }
  const mul = units[sfx[0] ?? ''];
  if (mul === undefined) throw bad();
  if (sfx.length === 2 && sfx[1] !== 'b') throw bad();
  if (sfx.length === 3 && sfx.slice(1) !== 'ib') throw bad();
  return Math.trunc(num * mul);
}

/**
 * Parse a memory size the docker CLI way (`512m`, `1g`, `1.5GiB`, `100`):
 * suffixes b,k,m,g,t,p (optionally followed by b or ib), powers of 1024,
 * case-insensitive. Returns bytes. Throws CLI_INVALID_FLAG.
 */
export function parseRamBytes(input: string): number {
  return parseSize(input, BINARY);
}

/** As {@link parseRamBytes} but decimal units (k = 1000), like docker's FromHumanSize. */
export function parseHumanSize(input: string): number {
  return parseSize(input, DECIMAL);
}

/** `--memory-swap` style: `-1` means unlimited, otherwise a RAM size. */
export function parseMemorySwap(input: string): number {
  return input === '-1' ? -1 : parseRamBytes(input);
}

/**
 * The only way into exceljs for this project: `loadExcelJS()`.
 *
 * Why a loader: exceljs 4.4.0's `lib/utils/parse-sax.js` decodes every inflated chunk with a fresh,
 * non-streaming TextDecoder, so a UTF-8 character split across a chunk boundary turns into U+FFFD
 * (upstream #2063/#2084/#2316). Chinese text is three bytes a character, so large workbooks lose
 * characters silently. The loader installs a corrected parse-sax under the same module id before
 * exceljs is first required; the four modules that require it (xform/base-xform, stream/xlsx/
 * workbook-reader, worksheet-reader, hyperlink-reader) bind it at load time and so get the fix.
 * It also keeps the ~0.2 s cost of loading exceljs off commands that never touch a workbook.
 */
import * as path from 'path';
import { Module } from 'module';
import { PassThrough } from 'stream';
import type * as ExcelJSModule from 'exceljs';

export type ExcelJS = typeof ExcelJSModule;

/** One event in the shape exceljs's parse-sax yields (tag objects are saxes' own). */
export interface SaxEvent {
  eventType: 'opentag' | 'text' | 'closetag';
  value: unknown;
}

type Chunk = Uint8Array | string;
type ChunkSource = AsyncIterable<Chunk> | (NodeJS.ReadableStream & Partial<AsyncIterable<Chunk>>);

/** The saxes surface parse-sax uses; exceljs ships its own saxes (5.x), which we load for parity. */
interface SaxesLike {
  on(event: 'error', handler: (err: Error) => void): void;
  on(event: 'opentag' | 'closetag', handler: (tag: unknown) => void): void;
  on(event: 'text', handler: (text: string) => void): void;
  write(chunk: string): unknown;
}
type SaxesCtor = new () => SaxesLike;

const PARSE_SAX_ID = 'exceljs/lib/utils/parse-sax.js';
/** exceljs modules that capture parse-sax when they load: if any is already loaded, the fix came too late. */
const PARSE_SAX_REQUIRERS = [
  'exceljs/lib/xlsx/xform/base-xform.js',
  'exceljs/lib/stream/xlsx/workbook-reader.js',
  'exceljs/lib/stream/xlsx/worksheet-reader.js',
  'exceljs/lib/stream/xlsx/hyperlink-reader.js',
];

/**
 * Same contract as exceljs's parse-sax (async generator of per-chunk event arrays, throws the
 * first saxes error), but with one streaming decoder per document so split characters survive.
 */
function makeParseSax(SaxesParser: SaxesCtor) {
  return async function* parseSax(source: ChunkSource): AsyncGenerator<SaxEvent[]> {
    let iterable = source as AsyncIterable<Chunk>;
    if (!(Symbol.asyncIterator in source) && 'pipe' in source) {
      // pre-async-iterator streams, as the original handles them
      iterable = (source as NodeJS.ReadableStream).pipe(new PassThrough());
    }
    const parser = new SaxesParser();
    const decoder = new TextDecoder('utf-8');
    let error: Error | undefined;
    parser.on('error', (err) => {
      error = err;
    });
    let events: SaxEvent[] = [];
    parser.on('opentag', (value) => events.push({ eventType: 'opentag', value }));
    parser.on('text', (value) => events.push({ eventType: 'text', value }));
    parser.on('closetag', (value) => events.push({ eventType: 'closetag', value }));
    for await (const chunk of iterable) {
      parser.write(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
      if (error) throw error;
      yield events;
      events = [];
    }
    // bytes of an incomplete final character (a truncated part) come out as U+FFFD, as before
    const rest = decoder.decode();
    if (rest) {
      parser.write(rest);
      if (error) throw error;
      yield events;
    }
  };
}

function resolveParseSax(): string {
  return require.resolve(PARSE_SAX_ID);
}

function isLoaded(id: string): boolean {
  const key = require.resolve(id);
  return require.cache[key] !== undefined;
}

let installed: ReturnType<typeof makeParseSax> | undefined;

/**
 * Put the fixed parse-sax where exceljs will find it. Under Node, a ready module goes straight into
 * require.cache (the original never loads). Jest's registry ignores writes to require.cache but
 * hands out its own module records, so there we load the original and swap its exports instead.
 * Either way we then check that requiring the id yields the fix, and refuse to go on otherwise.
 */
function installParseSaxFix(): void {
  if (installed) return;
  const key = resolveParseSax();
  const late = PARSE_SAX_REQUIRERS.filter(isLoaded);
  if (late.length > 0) {
    throw new Error(
      `exceljs was loaded before its parse-sax fix (${late.join(', ')}); ` +
        'load exceljs only through loadExcelJS() in src/io/exceljs.ts',
    );
  }
  // exceljs depends on saxes 5 and may carry its own copy: use the one it would have used
  const saxesPath = require.resolve('saxes', { paths: [path.dirname(key)] });
  const { SaxesParser } = require(saxesPath) as { SaxesParser: SaxesCtor };
  const fixed = makeParseSax(SaxesParser);

  const mod = new Module(key);
  mod.filename = key;
  mod.loaded = true;
  mod.exports = fixed;
  require.cache[key] = mod;
  if (require(key) !== fixed) {
    // jest: that require loaded the original into jest's registry; swap the record's exports
    const record = require.cache[key];
    if (record) record.exports = fixed;
  }
  if (require(key) !== fixed) {
    throw new Error(`could not install the parse-sax fix for exceljs (${key})`);
  }
  installed = fixed;
}

let excel: ExcelJS | undefined;

/** exceljs with the UTF-8 chunk-boundary fix in place. Loads it on first call (~0.2 s). */
export function loadExcelJS(): ExcelJS {
  if (!excel) {
    installParseSaxFix();
    excel = require('exceljs') as ExcelJS;
  }
  return excel;
}

/** True once loadExcelJS() has installed the fix (for tests and diagnostics). */
export function parseSaxFixInstalled(): boolean {
  return installed !== undefined && require(resolveParseSax()) === installed;
}

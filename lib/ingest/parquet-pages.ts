import type { ColumnMetaData, Compressors, DecodedArray, FileMetaData, PageHeader, ParquetParsers, SchemaTree } from 'hyparquet';
import { assembleNested } from 'hyparquet/src/assemble.js';
import { parquetHeader, readPage } from 'hyparquet/src/column.js';
import { convert, DEFAULT_PARSERS } from 'hyparquet/src/convert.js';
import { getTreePath, isFlatColumn } from 'hyparquet/src/schema.js';

/**
 * A Parquet row group read in slices of rows, page by page, instead of whole: hyparquet's
 * parquetRead fetches each column chunk whole and decodes it to the end (rowStart/rowEnd only skip
 * the flat columns' leading pages, and a nested column such as FOCUS Tags is decoded whole every
 * time), so a 1M-row group would sit in memory as JavaScript values several times its size. Here
 * each physical column is a cursor over its pages (hyparquet's own page decoder, readPage), read
 * from the file one page at a time; a slice takes the same rows from every cursor. What is held at
 * once: the slice's values, plus for each column its dictionary and the rest of its current page.
 *
 * A page must be read and decompressed whole, so a page (or dictionary) over `maxBytes`, or of more
 * than `maxValues` values, is refused; so is a row whose nested values span more than
 * 2 × `maxValues` (a map of millions of entries).
 */

type ColumnDecoder = Parameters<typeof readPage>[2];

export interface PageLimits {
  /** The largest page (compressed or not) or dictionary read, bytes. */
  maxBytes: number;
  /** The most values one page may announce. */
  maxValues: number;
}

/** Positional reads of the file; `advance` reports bytes consumed (progress). */
export interface PageFile {
  read(start: number, length: number): Promise<Uint8Array>;
  advance(bytes: number): void;
}

/** Rows [start, start + count) of a row group as one array per top-level column, in schema order. */
export interface RowSlice {
  start: number;
  count: number;
  columns: unknown[][];
}

const HEADER_WINDOW = 8 << 10;

/** A page, a dictionary or a row over the limits: the file needs smaller pages (or row groups), not repair. */
export class PageLimitError extends Error {}

/** One physical column chunk, decoded page by page on demand. */
class LeafCursor {
  private offset: number;
  private readonly end: number;
  private dictionary: DecodedArray | undefined;
  /** Decoded rows not yet taken: chunks[0] from `head`, then the others. */
  private chunks: DecodedArray[] = [];
  private head = 0;
  private buffered = 0;
  private taken = 0;
  private lastPageBytes = 0;
  readonly name: string;

  constructor(
    meta: ColumnMetaData,
    private readonly decoder: ColumnDecoder,
    private readonly groupRows: number,
    private readonly file: PageFile,
    private readonly limits: PageLimits,
  ) {
    // As hyparquet's planner: polars leaves dictionary_page_offset unset but writes the dictionary first.
    this.offset = Number(meta.dictionary_page_offset || meta.data_page_offset);
    this.end = this.offset + Number(meta.total_compressed_size);
    this.name = meta.path_in_schema.join('.');
  }

  private get done(): boolean {
    // A flat column's rows are its values: once all are decoded, trailing bytes are not pages (hyparquet stops there too).
    if (isFlatColumn(this.decoder.schemaPath) && this.taken + this.buffered >= this.groupRows) return true;
    return this.offset >= this.end - 1;
  }

  /**
   * Decodes pages until more than `rows` rows are buffered (a nested row may continue on the next
   * page, so the last buffered row is complete only once another starts) or the chunk ends.
   */
  async fill(rows: number): Promise<void> {
    let values = 0;
    while (this.buffered <= rows && !this.done) {
      values += await this.nextPage();
      if (values > 2 * this.limits.maxValues) {
        throw new PageLimitError(
          `column ${this.name}: rows ${this.taken + 1} to ${this.taken + rows} hold more than ${2 * this.limits.maxValues} values ` +
            `(twice the ${this.limits.maxValues} values per page of the limit)`,
        );
      }
    }
  }

  /** The next `rows` rows (fewer only where the chunk ends early). */
  take(rows: number): unknown[] {
    const count = Math.min(rows, this.buffered);
    const out: unknown[] = new Array(count);
    let i = 0;
    while (i < count) {
      const chunk = this.chunks[0] as DecodedArray;
      const k = Math.min(count - i, chunk.length - this.head);
      for (let j = 0; j < k; j++) out[i++] = chunk[this.head + j];
      this.head += k;
      if (this.head === chunk.length) {
        this.chunks.shift();
        this.head = 0;
      }
    }
    // Copy the rest of the first chunk so that the rows taken are not kept alive by it.
    if (this.head > 0) {
      this.chunks[0] = (this.chunks[0] as DecodedArray).slice(this.head);
      this.head = 0;
    }
    this.buffered -= count;
    this.taken += count;
    return out;
  }

  /** Reads and decodes one page; returns the values it announced. */
  private async nextPage(): Promise<number> {
    const left = this.end - this.offset;
    // One read for the header and (usually) the page: pages of a chunk tend to be the same size.
    let window = Math.min(left, this.lastPageBytes + HEADER_WINDOW);
    let bytes: Uint8Array;
    let header: PageHeader;
    let headerBytes: number;
    for (;;) {
      bytes = await this.file.read(this.offset, window);
      const reader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 };
      try {
        header = parquetHeader(reader);
        headerBytes = reader.offset;
        break;
      } catch (error) {
        // A header cut off by the window reads past its end; anything else is a broken header.
        if (!(error instanceof RangeError) || window >= left) throw error;
        if (window >= this.limits.maxBytes)
          throw new PageLimitError(`column ${this.name}: a page header longer than ${this.limits.maxBytes} bytes`);
        window = Math.min(left, window * 4);
      }
    }
    const size = header.compressed_page_size;
    const values =
      header.data_page_header?.num_values ?? header.data_page_header_v2?.num_values ?? header.dictionary_page_header?.num_values ?? 0;
    const what = header.type === 'DICTIONARY_PAGE' ? 'dictionary page' : 'page';
    if (size > this.limits.maxBytes || header.uncompressed_page_size > this.limits.maxBytes) {
      const bytesOf = Math.max(size, header.uncompressed_page_size);
      throw new PageLimitError(`column ${this.name}: a ${what} of ${bytesOf} bytes, more than the limit of ${this.limits.maxBytes}`);
    }
    if (values > this.limits.maxValues) {
      throw new PageLimitError(`column ${this.name}: a ${what} of ${values} values, more than the limit of ${this.limits.maxValues}`);
    }
    if (size < 0 || headerBytes + size > left) throw new Error(`column ${this.name}: a page runs past the end of its column chunk`);
    const body =
      headerBytes + size <= bytes.length
        ? bytes.subarray(headerBytes, headerBytes + size)
        : await this.file.read(this.offset + headerBytes, size);
    this.offset += headerBytes + size;
    this.lastPageBytes = headerBytes + size;
    this.file.advance(headerBytes + size);

    const reader = { view: new DataView(body.buffer, body.byteOffset, body.byteLength), offset: 0 };
    if (header.type === 'DICTIONARY_PAGE') {
      const { data } = readPage(reader, header, this.decoder, undefined, undefined, 0);
      if (data) this.dictionary = convert(data, this.decoder);
      return values;
    }
    const last = this.chunks.at(-1);
    const previous = Array.isArray(last) ? last : undefined;
    const before = previous?.length ?? 0;
    const { data } = readPage(reader, header, this.decoder, this.dictionary, previous, 0);
    if (data && data === previous) {
      // A nested (or nullable) column appends to the rows buffered so far; its first value may continue the last row.
      this.buffered += data.length - before;
    } else if (data?.length) {
      this.chunks.push(data);
      this.buffered += data.length;
    }
    return values;
  }
}

export interface SliceOptions {
  /** The file's metadata (the one whose schema the values are decoded with). */
  metadata: FileMetaData;
  schema: SchemaTree;
  file: PageFile;
  limits: PageLimits;
  compressors: Compressors;
  parsers: Partial<ParquetParsers>;
  utf8: boolean;
  /** Rows per slice. */
  sliceRows: number;
}

/** Reads row group `index` in slices of `sliceRows` rows. */
export async function* rowGroupSlices(index: number, options: SliceOptions): AsyncGenerator<RowSlice> {
  const { metadata, schema, file, limits } = options;
  const group = metadata.row_groups[index];
  if (!group) throw new Error(`no row group ${index + 1}`);
  const groupRows = Number(group.num_rows);
  const parsers: ParquetParsers = { ...DEFAULT_PARSERS, ...options.parsers };
  const cursorsOf = new Map<string, LeafCursor[]>();
  for (const chunk of group.columns) {
    const meta = chunk.meta_data;
    if (chunk.file_path) throw new Error('column chunks in other files are not supported');
    if (!meta) throw new Error('a column chunk without metadata');
    const schemaPath = getTreePath(schema, meta.path_in_schema);
    const decoder: ColumnDecoder = {
      pathInSchema: meta.path_in_schema,
      element: (schemaPath[schemaPath.length - 1] as SchemaTree).element,
      schemaPath,
      type: meta.type,
      codec: meta.codec,
      compressors: options.compressors,
      parsers,
      utf8: options.utf8,
    };
    const top = meta.path_in_schema[0] as string;
    const list = cursorsOf.get(top) ?? [];
    list.push(new LeafCursor(meta, decoder, groupRows, file, limits));
    cursorsOf.set(top, list);
  }
  const tops = schema.children.map((child) => {
    const cursors = cursorsOf.get(child.element.name);
    if (!cursors?.length) throw new Error(`column ${child.element.name} has no data in row group ${index + 1}`);
    return { child, cursors };
  });

  for (let start = 0; start < groupRows; start += options.sliceRows) {
    const count = Math.min(options.sliceRows, groupRows - start);
    const columns: unknown[][] = [];
    for (const { child, cursors } of tops) {
      const leaves = new Map<string, DecodedArray>();
      for (const cursor of cursors) {
        await cursor.fill(count);
        const rows = cursor.take(count);
        if (rows.length < count)
          throw new Error(`column ${cursor.name} ends at row ${start + rows.length} of the ${groupRows} of its row group`);
        leaves.set(cursor.name, rows as DecodedArray);
      }
      if (!child.children.length) {
        columns.push(leaves.get(child.element.name) as unknown[]);
        continue;
      }
      // Structs, lists and maps from their leaves, as hyparquet assembles them.
      assembleNested(leaves, child, parsers);
      const assembled = leaves.get(child.element.name);
      if (!assembled) throw new Error(`column ${child.element.name}: nested values not assembled`);
      columns.push(assembled as unknown[]);
    }
    yield { start, count, columns };
  }
}

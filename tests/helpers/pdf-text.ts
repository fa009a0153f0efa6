// Reads a PDF back with pdf.js (Mozilla's reader, independent of pdfkit which writes our PDFs): the
// text of each page, and how many vector paths and images each page draws.
import { createRequire } from 'node:module';
import path from 'node:path';
import { getDocument, OPS } from 'pdfjs-dist/legacy/build/pdf.mjs';

// The 14 standard fonts' metrics, which pdfkit's PDFs name without embedding.
const STANDARD_FONTS = `${path.join(path.dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json')), 'standard_fonts')}/`;

export interface PdfPage {
  /** The page's text items joined by single spaces, in drawing order. */
  text: string;
  /** Path-drawing operations (rectangles, lines: charts and table rules). */
  paths: number;
  /** Images painted (a chart pasted as a picture would be one). */
  images: number;
}

export interface PdfContent {
  pages: PdfPage[];
  /** Every page's text, joined. */
  text: string;
  info: Record<string, unknown>;
}

export async function readPdf(bytes: Uint8Array): Promise<PdfContent> {
  // pdf.js takes ownership of (detaches) the buffer it is given: hand it a copy.
  const task = getDocument({ data: new Uint8Array(bytes), useSystemFonts: false, standardFontDataUrl: STANDARD_FONTS });
  const doc = await task.promise;
  try {
    const pages: PdfPage[] = [];
    for (let i = 1; i <= doc.numPages; i++) {
      const page = await doc.getPage(i);
      const content = await page.getTextContent();
      const text = content.items
        .map((item) => ('str' in item ? item.str : ''))
        .filter((s) => s !== '')
        .join(' ');
      const ops = await page.getOperatorList();
      let paths = 0;
      let images = 0;
      for (const fn of ops.fnArray) {
        if (fn === OPS.constructPath) paths++;
        if (fn === OPS.paintImageXObject || fn === OPS.paintInlineImageXObject || fn === OPS.paintImageMaskXObject) images++;
      }
      pages.push({ text, paths, images });
    }
    const meta = await doc.getMetadata();
    return { pages, text: pages.map((p) => p.text).join(' '), info: meta.info as Record<string, unknown> };
  } finally {
    await task.destroy();
  }
}

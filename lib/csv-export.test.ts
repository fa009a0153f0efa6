import { describe, expect, it } from 'vitest';
import { csvCell, csvLine, csvStream } from './csv-export';

describe('csvCell', () => {
  it('quotes per RFC 4180 and neutralizes cells a spreadsheet would run as a formula', () => {
    expect(csvCell(null)).toBe('');
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('=HYPERLINK("http://evil.test","x")')).toBe(`"'=HYPERLINK(""http://evil.test"",""x"")"`);
    expect(csvCell('+1+1')).toBe("'+1+1");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\t=1')).toBe("'\t=1");
    expect(csvCell('\r=1')).toBe(`"'\r=1"`);
    // Only the first character counts.
    expect(csvCell('a=1')).toBe('a=1');
  });

  it('leaves a negative amount a number: exactly a decimal is never prefixed, anything more is', () => {
    expect(csvCell('-12.50')).toBe('-12.50');
    expect(csvCell('-3')).toBe('-3');
    expect(csvCell('-3.')).toBe("'-3.");
    expect(csvCell('-1e3')).toBe("'-1e3");
    expect(csvCell('-12.50+cmd')).toBe("'-12.50+cmd");
  });
});

describe('csvStream', () => {
  it('writes the header, then one CRLF-ended line per row as the reader pulls', async () => {
    async function* rows() {
      yield { a: 'x', b: null };
      yield { a: '=1', b: 'y,z' };
    }
    const text = await new Response(csvStream(['a', 'b'], rows(), (r) => [r.a, r.b])).text();
    expect(text).toBe('a,b\r\nx,\r\n\'=1,"y,z"\r\n');
    expect(csvLine(['1', '2'])).toBe('1,2\r\n');
  });
});

import { type CostRow, FOCUS_COLUMNS } from '../focus/columns';
import { ValueError } from '../focus/normalize';
import { IngestError, type RecordMapper } from './types';

const REQUIRED = FOCUS_COLUMNS.filter((c) => 'required' in c && c.required).map((c) => c.column);

/**
 * Maps one record to its canonical rows and checks the mandatory columns, turning value errors
 * into an IngestError that names the file and line.
 */
export function mapRecord(mapper: RecordMapper, values: readonly (string | null)[], line: number, file: string): CostRow[] {
  let mapped: CostRow | CostRow[] | null;
  try {
    mapped = mapper(values);
  } catch (error) {
    if (error instanceof ValueError || error instanceof IngestError) {
      throw new IngestError(`${file}, line ${line}: ${error.message}`, { file, line, code: 'BAD_VALUE' });
    }
    throw error;
  }
  if (mapped === null) return [];
  const rows = Array.isArray(mapped) ? mapped : [mapped];
  for (const row of rows) checkRequired(row, line, file);
  return rows;
}

function checkRequired(row: CostRow, line: number, file: string): void {
  for (const column of REQUIRED) {
    if (row[column] == null) {
      throw new IngestError(`${file}, line ${line}: missing ${column} (required FOCUS column)`, {
        file,
        line,
        column,
        code: 'MISSING_VALUE',
      });
    }
  }
}

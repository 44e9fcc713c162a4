/**
 * %%klong and %klong in Python notebooks: the Klong parts of a cell are parsed as Klong.
 *
 * JupyterLab's Python (ipython) language is wrapped with a mixed parser: the Python parse
 * of the cell stays, and the Klong text is an overlay of it, parsed by klongLanguage.
 *   %%klong -i x        (first line: the cell magic and its options stay Python)
 *   ...                 every following line is Klong
 *   y = %klong 1+2      the code after %klong and its leading options is Klong
 */
import { LanguageSupport, LRLanguage } from '@codemirror/language';
import { Input, parseMixed, SyntaxNodeRef } from '@lezer/common';

import { klongClasses, klongLanguage } from './klong';

// %klong's options and whether each takes a value (as FLAGS in magics/magic.py)
const FLAGS: { [flag: string]: boolean } = {
  '-i': true,
  '--input': true,
  '-o': true,
  '--output': true,
  '-n': false,
  '--noreturn': false,
  '--device': true
};

const CELL_MAGIC = /^\s*%%klong(?=\s|$)[^\n]*(\n|$)/;
const LINE_MAGIC = /^([ \t]*(?:[A-Za-z_][\w ,]*=[ \t]*)?%klong)(?=[ \t]|$)([^\n]*)/gm;

/** The length of the leading options in the text after %klong (their values included),
 * read as magics/options.py's split_leading reads them. */
export function optionsLength(text: string): number {
  const words = /[ \t]*(\S+)/y;
  let end = 0;
  let expectValue = false;
  for (;;) {
    words.lastIndex = end;
    const m = words.exec(text);
    if (!m) {
      return end;
    }
    const word = m[1];
    if (expectValue) {
      expectValue = false;
    } else if (word === '--') {
      return words.lastIndex; // the explicit end of the options (%klong -- -i)
    } else {
      // a long option may carry its value: --device=cpu
      const flag = word.startsWith('--') ? word.split('=')[0] : word;
      if (!(flag in FLAGS)) {
        return end;
      }
      expectValue = FLAGS[flag] && !word.includes('=');
    }
    end = words.lastIndex;
  }
}

/** The ranges of a cell's text that are Klong. */
export function klongRanges(text: string): { from: number; to: number }[] {
  const cell = CELL_MAGIC.exec(text);
  if (cell) {
    const from = cell[0].length;
    return from < text.length ? [{ from, to: text.length }] : [];
  }
  const ranges: { from: number; to: number }[] = [];
  for (const m of text.matchAll(LINE_MAGIC)) {
    const from = (m.index ?? 0) + m[1].length + optionsLength(m[2]);
    const to = (m.index ?? 0) + m[0].length;
    if (from < to) {
      ranges.push({ from, to });
    }
  }
  return ranges;
}

/** Python with its Klong parts parsed as Klong. */
export function withKlongCells(python: LanguageSupport): LanguageSupport {
  const language = python.language as LRLanguage;
  const wrap = parseMixed((node: SyntaxNodeRef, input: Input) => {
    if (!node.type.isTop) {
      return null;
    }
    const ranges = klongRanges(input.read(node.from, node.to));
    if (!ranges.length) {
      return null;
    }
    return {
      parser: klongLanguage.parser,
      overlay: ranges.map(r => ({ from: node.from + r.from, to: node.from + r.to }))
    };
  });
  return new LanguageSupport(language.configure({ wrap }, language.name), [
    python.support,
    klongClasses
  ]);
}

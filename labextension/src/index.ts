/**
 * klongtorch's JupyterLab extension: the Klong language (text/x-klong) for the editors of
 * notebooks, consoles and files, and Klong highlighting of %%klong cells in Python.
 */
import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { IEditorLanguage, IEditorLanguageRegistry } from '@jupyterlab/codemirror';
import { LanguageSupport } from '@codemirror/language';

import { klong } from './klong';
import { withKlongCells } from './magics';

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'klongtorch:languages',
  description: 'Klong highlighting, in Klong notebooks and in %%klong cells',
  autoStart: true,
  requires: [IEditorLanguageRegistry],
  activate: (app: JupyterFrontEnd, languages: IEditorLanguageRegistry) => {
    languages.addLanguage({
      name: 'klong',
      displayName: 'Klong',
      alias: ['kg'],
      mime: 'text/x-klong',
      extensions: ['kg'],
      support: klong()
    });
    // The registry refuses a second ipython, so its entry's loader is wrapped instead:
    // the notebooks that load Python afterwards get Python with Klong cells.
    const ipython = languages.findByName('ipython') as
      | (IEditorLanguage & { load(): Promise<LanguageSupport> })
      | null;
    if (ipython) {
      const load = ipython.load.bind(ipython);
      ipython.load = async () => withKlongCells(await load());
      if (ipython.support) {
        ipython.support = withKlongCells(ipython.support);
      }
    }
  }
};

export default plugin;

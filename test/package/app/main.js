// A browser entry bundled by Vite with no configuration: train on the page and in a Web Worker.
import { trainBoth } from './train-both.mjs';

trainBoth().then(
  (result) => { document.body.dataset.result = JSON.stringify(result); },
  (e) => { document.body.dataset.result = JSON.stringify({ error: String(e?.stack ?? e) }); },
);

const TYPES: Record<string, string> = {
  txt: 'text/plain', log: 'text/plain', md: 'text/markdown', yaml: 'text/plain', yml: 'text/plain', csv: 'text/csv', tsv: 'text/tab-separated-values',
  json: 'text/plain', html: 'text/plain', htm: 'text/plain', xml: 'text/plain', py: 'text/plain',
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', svg: 'text/plain', webp: 'image/webp', bmp: 'image/bmp',
  pdf: 'application/pdf', parquet: 'application/octet-stream', pkl: 'application/octet-stream', onnx: 'application/octet-stream',
};

/**
 * Content type served for an artifact file. Markup and JSON are sent as text/plain, as MLflow does, so that a
 * browser never renders user content as a page (with `nosniff` set alongside); `MLmodel` is text.
 */
export function contentTypeFor(name: string): string {
  if (name === 'MLmodel') return 'text/plain';
  const ext = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1).toLowerCase() : '';
  return TYPES[ext] ?? 'application/octet-stream';
}

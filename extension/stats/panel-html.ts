// The stats panel's page: a strict Content-Security-Policy (no remote
// resource, no inline script; only the bundled script with this load's
// nonce, styles inline and from the webview), the charts' host element and
// the limits form. The look comes from VS Code's theme variables.
import * as crypto from 'node:crypto';

export function nonce(): string { return crypto.randomBytes(16).toString('base64'); }

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function statsHtml(o: { cspSource: string; script: string; nonce: string; name: string }): string {
  const csp = [
    "default-src 'none'",
    `style-src ${o.cspSource} 'nonce-${o.nonce}'`,
    `script-src 'nonce-${o.nonce}'`,
    `img-src ${o.cspSource}`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Stats: ${esc(o.name)}</title>
<style nonce="${o.nonce}">
  body { color: var(--vscode-editor-foreground); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); padding: 0 16px 16px; }
  h1 { font-size: 1.2em; font-weight: 600; margin: 12px 0 4px; }
  .status { color: var(--vscode-descriptionForeground); min-height: 1.4em; }
  #charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); gap: 16px; }
  .chart { border: 1px solid var(--vscode-panel-border, var(--vscode-widget-border, transparent)); padding: 8px; }
  .chart header { display: flex; justify-content: space-between; align-items: baseline; }
  .chart h2 { font-size: 1em; font-weight: 600; margin: 0; }
  .chart .value { font-variant-numeric: tabular-nums; }
  .chart svg { width: 100%; height: 120px; display: block; margin-top: 6px; background: var(--vscode-editorWidget-background, transparent); }
  .chart path { fill: none; stroke-width: 1.5; }
  .chart path.limit { stroke: var(--vscode-charts-red); stroke-dasharray: 4 3; }
  .legend { color: var(--vscode-descriptionForeground); font-size: 0.9em; margin-top: 4px; }
  form { display: flex; flex-wrap: wrap; gap: 12px; align-items: end; margin: 8px 0 16px; }
  label { display: flex; flex-direction: column; gap: 2px; color: var(--vscode-descriptionForeground); }
  input { color: var(--vscode-input-foreground); background: var(--vscode-input-background); border: 1px solid var(--vscode-input-border, transparent); padding: 3px 6px; width: 8em; font-family: inherit; }
  input:focus { outline: 1px solid var(--vscode-focusBorder); outline-offset: -1px; }
  button { color: var(--vscode-button-foreground); background: var(--vscode-button-background); border: none; padding: 4px 12px; cursor: pointer; font-family: inherit; }
  button:hover { background: var(--vscode-button-hoverBackground); }
  button:disabled { opacity: 0.5; cursor: default; }
  .error { color: var(--vscode-errorForeground); }
</style>
</head>
<body>
<h1>${esc(o.name)}</h1>
<div id="status" class="status">Waiting for the first sample…</div>
<form id="limits">
  <label>Memory limit <input id="memory" name="memory" placeholder="64m or max" spellcheck="false"></label>
  <label>Processes limit <input id="pids" name="pids" placeholder="100 or max" spellcheck="false"></label>
  <button id="apply" type="submit">Apply</button>
  <span id="form-error" class="error" role="alert"></span>
</form>
<div id="charts"></div>
<script nonce="${o.nonce}" src="${o.script}"></script>
</body>
</html>`;
}

// The Go template subset behind --format: what Docker users' scripts print.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { goMap, goStringMap, parseTemplate, sprintf, TemplateError, unescapeFormat } from '../../helper/lib/go-template';

const doc = {
  Id: 'abc123', Name: '/web',
  State: { Status: 'running', Running: true, Paused: false, Pid: 4242, ExitCode: 0 },
  Config: { Image: 'host', Env: ['A=1', 'B=2'], Cmd: ['sleep', '60'], Entrypoint: null, Labels: goMap({ 'com.x': 'y', app: 'web' }) },
  HostConfig: { Memory: 67108864, NanoCpus: 500000000 },
  Mounts: [{ Source: '/a', Destination: '/x' }, { Source: '/b', Destination: '/y' }],
  NetworkSettings: { IPAddress: '10.1.2.3', Networks: goMap({ nscope: { IPAddress: '10.1.2.3' }, other: { IPAddress: '10.9.0.2' } }) },
};
const run = (t: string, data: unknown = doc) => parseTemplate(t).execute(data);

test('field paths print as Go prints them', () => {
  assert.equal(run('{{.State.Pid}}'), '4242');
  assert.equal(run('{{.Name}} {{.Id}}'), '/web abc123');
  assert.equal(run('{{.State.Running}}'), 'true');
  assert.equal(run('{{.HostConfig.Memory}}'), '67108864');
  assert.equal(run('{{.Config.Cmd}}'), '[sleep 60]');
  assert.equal(run('{{.Config.Labels}}'), 'map[app:web com.x:y]');
  assert.equal(run('{{.Config.Labels.nope}}'), '<no value>');
  assert.equal(run('{{.Config.Entrypoint}}'), '<nil>');
  assert.equal(run('IP={{.NetworkSettings.IPAddress}}\n'), 'IP=10.1.2.3\n');
});

test('a field a struct does not have is an error, as in Docker', () => {
  assert.throws(() => run('{{.State.Nope}}'), (e) => e instanceof TemplateError && /can't evaluate field Nope/.test(e.message));
  assert.throws(() => run('{{.Mounts.Source}}'), /can't evaluate field Source/);
});

test('json, index, join, lower/upper, len', () => {
  assert.equal(run('{{json .Config.Cmd}}'), '["sleep","60"]');
  assert.equal(run('{{json .State}}'), JSON.stringify(doc.State));
  assert.equal(run('{{index .Config.Labels "com.x"}}'), 'y');
  assert.equal(run('{{index .Config.Env 1}}'), 'B=2');
  assert.equal(run('{{join .Config.Env ","}}'), 'A=1,B=2');
  assert.equal(run('{{lower .State.Status | upper}}'), 'RUNNING');
  assert.equal(run('{{len .Mounts}}'), '2');
  assert.equal(run('{{(index .NetworkSettings.Networks "other").IPAddress}}'), '10.9.0.2');
  assert.equal(run('{{json (index .Config.Labels "app")}}'), '"web"');
  // index of a missing key gives the map's zero, as Go's: "" for a map of strings; a nil map of them too
  const labelled = { Config: { Labels: goStringMap({ app: 'web' }) }, Image: { Labels: null } };
  assert.equal(run('[{{index .Config.Labels "nope"}}]', labelled), '[]');
  assert.equal(run('[{{index .Image.Labels "nope"}}]', labelled), '[]');
  assert.equal(run('{{if index .Config.Labels "nope"}}set{{else}}unset{{end}}', labelled), 'unset');
  assert.equal(run('{{index .Config.Labels "nope"}}'), '<no value>', 'a map without a known zero: as a map of interfaces');
  // a map's keys sorted, as Go's encoding/json writes them; a struct's fields in their order
  assert.equal(run('{{json .Config.Labels}}'), '{"app":"web","com.x":"y"}');
  assert.equal(run('{{json .NetworkSettings}}'), '{"IPAddress":"10.1.2.3","Networks":{"nscope":{"IPAddress":"10.1.2.3"},"other":{"IPAddress":"10.9.0.2"}}}');
});

test('range over lists and maps (keys sorted), with variables and else', () => {
  assert.equal(run('{{range .Mounts}}{{.Source}}:{{.Destination}} {{end}}'), '/a:/x /b:/y ');
  assert.equal(run('{{range $k, $v := .Config.Labels}}{{$k}}={{$v}};{{end}}'), 'app=web;com.x=y;');
  assert.equal(run('{{range $n, $c := .NetworkSettings.Networks}}{{$n}} {{$c.IPAddress}}\n{{end}}'), 'nscope 10.1.2.3\nother 10.9.0.2\n');
  assert.equal(run('{{range .Config.Entrypoint}}x{{else}}none{{end}}'), 'none');
  assert.equal(run('{{range $i, $m := .Mounts}}{{$i}}{{$.Name}}{{end}}'), '0/web1/web');
});

test('if / else if / else, with, comparisons and trims', () => {
  assert.equal(run('{{if .State.Running}}up{{else}}down{{end}}'), 'up');
  assert.equal(run('{{if eq .State.Status "exited"}}x{{else if eq .State.Status "running"}}r{{else}}?{{end}}'), 'r');
  assert.equal(run('{{if not .State.Paused}}ok{{end}}'), 'ok');
  assert.equal(run('{{if and .State.Running (gt .State.Pid 1)}}y{{end}}'), 'y');
  assert.equal(run('{{with .Config}}{{.Image}}{{end}}'), 'host');
  assert.equal(run('a  {{- .Name -}}  b'), 'a/webb');
  assert.equal(run('{{/* a comment */}}x'), 'x');
});

test('printf and its verbs', () => {
  assert.equal(run('{{printf "%s is %d" .Name .State.Pid}}'), '/web is 4242');
  assert.equal(run('{{printf "%-6s|" "ab"}}'), 'ab    |');
  assert.equal(run('{{printf "%5d|%05d" 42 42}}'), '   42|00042');
  assert.equal(run('{{printf "%q" .Name}}'), '"/web"');
  assert.equal(run('{{printf "%.2f" 1.5}}'), '1.50');
  assert.equal(run('{{printf "%v" .Config.Cmd}}'), '[sleep 60]');
  assert.equal(sprintf('%d%%', [5]), '5%');
  assert.equal(sprintf('%s', []), '%!s(MISSING)');
});

test('methods with arguments (ps\'s .Label "k") are called', () => {
  const row = { Names: 'web', Label: (k: string) => ({ app: 'web' } as Record<string, string>)[k] ?? '' };
  assert.equal(run('{{.Names}} {{.Label "app"}}', row), 'web web');
});

test('bad templates are parse errors that say why', () => {
  assert.throws(() => parseTemplate('{{.Name'), /unclosed action/);
  assert.throws(() => parseTemplate('{{nope .Name}}'), /function "nope" not defined/);
  assert.throws(() => parseTemplate('{{if .X}}a'), /no \{\{end\}\}/);
  assert.throws(() => parseTemplate('{{end}}'), /unexpected \{\{end\}\}/);
  assert.throws(() => parseTemplate('{{"abc}}'), /unclosed action|unterminated/);
  assert.throws(() => parseTemplate('{{}}'), /missing value/);
});

test('quoted }} inside an action does not end it; \\t in list formats is a tab', () => {
  assert.equal(run('{{printf "}}%s" .Name}}'), '}}/web');
  assert.equal(unescapeFormat('{{.A}}\\t{{.B}}\\n'), '{{.A}}\t{{.B}}\n');
});

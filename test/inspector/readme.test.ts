import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { renderDiagram } from '../../src/control/inspector/diagram.ts';

it('README "## Statecharts" shows the account machine as it is defined now (regenerate with riskd diagram --format mermaid)', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## Statecharts'));
  expect(readme).toContain('## Statecharts');
  const block = /```mermaid\n([\s\S]*?)```/.exec(section)?.[1];
  expect(block).toBe(renderDiagram('account', 'mermaid'));
});

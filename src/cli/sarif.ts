// SARIF 2.1.0 output: one result per finding location and rule, with the scenarios in the message.
import { RULE_IDS, type ScenarioResult } from '../engine';
import { groupFindings, scenarioName } from './format';
import { sarifSuppressions, suppressedView } from './sarifSuppressions';

export function toSarif(results: ScenarioResult[]): object {
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'kpr',
            informationUri: 'https://example.invalid/kernel-patch-reasoner',
            rules: RULE_IDS.map((id) => ({ id, helpUri: `docs/rules.md#${id}` })),
          },
        },
        results: results.flatMap((r) =>
          [...groupFindings(r), ...groupFindings(suppressedView(r))].map(({ f, runs }) => ({
            ...sarifSuppressions(f),
            ruleId: f.rule,
            level: f.severity === 'info' ? 'note' : f.severity,
            message: { text: `${f.message} (scenarios: ${runs.map(scenarioName).join(', ')})` },
            locations: [{ physicalLocation: { artifactLocation: { uri: r.file }, region: { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn } } }],
            codeFlows: [
              {
                threadFlows: [
                  {
                    locations: f.trace.slice(0, 200).map((s) => ({
                      location: { physicalLocation: { artifactLocation: { uri: r.file }, region: { startLine: s.line, startColumn: s.column } }, message: { text: `${s.function}: ${s.event}` } },
                      nestingLevel: s.depth,
                    })),
                  },
                ],
              },
            ],
          })),
        ),
      },
    ],
  };
}

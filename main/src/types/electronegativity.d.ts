// @doyensec/electronegativity ships no types; its programmatic entry, as its README shows it.
declare module '@doyensec/electronegativity' {
  export default function run(options: {
    input: string;
    output?: string;
    isSarif?: boolean;
    customScan?: string[];
    excludeFromScan?: string[];
    severitySet?: string;
    confidenceSet?: string;
    isRelative?: boolean;
    electronUpgrade?: string;
    electronVersionOverride?: string;
    parserPlugins?: string[];
  }): Promise<unknown>;
}

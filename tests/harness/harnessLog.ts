/** Optional diagnostics sink for the harness; library code never writes to the console itself. */
export type HarnessLog = (level: 'debug' | 'info' | 'warn', message: string) => void;

/** The default sink: drops everything, so passing tests stay quiet. */
export const silentLog: HarnessLog = () => {};

/**
 * Accumulates the rows one task produces and turns them into Arrow IPC at the end. Pure (no I/O): the worker
 * feeds it records read from SQLite or JSON files.
 */
import {
  FILE_OPERATIONS_TABLE,
  MESSAGES_TABLE,
  PARTS_TABLE,
  SKILLS_TABLE,
  STEP_EVENTS_TABLE,
  TOOL_CALLS_TABLE,
  type RowOf,
  type TableName,
  type TableSpec,
} from '../../../shared/src/index.js';
import { buildIpc } from '../arrow/index.js';
import { messageRow, partOutputs, type DelegationBase, type Json, type MessageIds, type PartIds, type SourceKind } from '../parse/index.js';
import { applyRisk, type ToolCallAuditor } from './audit.js';
import { noteIssue, type IssueLog } from './issues.js';
import type { IngestTask, MessageAggregate, SessionAggregate, TaskResult } from './tasks.js';

const WRITE_OPERATIONS = new Set(['write', 'edit', 'patch']);

export class Collector {
  readonly messages: RowOf<'messages'>[] = [];
  readonly parts: RowOf<'parts'>[] = [];
  readonly toolCalls: RowOf<'tool_calls'>[] = [];
  readonly fileOperations: RowOf<'file_operations'>[] = [];
  readonly stepEvents: RowOf<'step_events'>[] = [];
  readonly skills: RowOf<'skills'>[] = [];
  readonly delegations: DelegationBase[] = [];
  readonly messageAggregates: Record<string, MessageAggregate> = {};
  readonly sessionAggregates: Record<string, SessionAggregate> = {};
  readonly partTypes: Record<string, number> = {};
  readonly toolsByName: Record<string, number> = {};
  readonly toolsByStatus: Record<string, number> = {};
  readonly issues: IssueLog = {};
  records = 0;
  duplicates = 0;
  maxTimeUpdated = 0;
  /** Newest time_updated per table read (`message`, `part`): each table keeps its own watermark. */
  readonly maxTimeUpdatedByTable: Record<string, number> = {};

  /**
   * @param aggregatesOnly count parts into the aggregates without keeping rows (a live refresh recomputes the
   * aggregates of the sessions that changed from all of their parts).
   */
  constructor(
    private readonly source: SourceKind,
    private readonly aggregatesOnly = false,
    /** Scores audited tool calls (shell, file, web, MCP) as they are parsed; absent, calls stay unscored. */
    private readonly auditor?: ToolCallAuditor,
  ) {}

  noteIssue(reason: string, example: string, times = 1): void {
    noteIssue(this.issues, reason, example, times);
  }

  addMessage(ids: MessageIds, data: Json): void {
    this.messages.push(messageRow(ids, data, this.source));
  }

  private sessionAggregate(sessionId: string): SessionAggregate {
    return (this.sessionAggregates[sessionId] ??= { toolCalls: 0, toolErrors: 0, delegations: 0, fileReads: 0, fileWrites: 0 });
  }

  addPart(ids: PartIds, data: Json, bytes: number): void {
    const out = partOutputs(ids, data, bytes, this.source);
    if (!this.aggregatesOnly) this.parts.push(out.part);
    this.partTypes[out.part.type] = (this.partTypes[out.part.type] ?? 0) + 1;
    if (out.unknownType !== undefined) this.noteIssue('parse.unknown-type', `part ${ids.id} has type "${out.unknownType}"`);
    const aggregate = (this.messageAggregates[ids.messageId] ??= { toolCalls: 0, reasoningParts: 0, firstText: null, lastText: null });
    if (out.part.type === 'reasoning') aggregate.reasoningParts++;
    if (out.part.type === 'text' && data.synthetic !== true && data.ignored !== true && out.part.preview) {
      const text = { id: ids.id, text: out.part.preview };
      if (!aggregate.firstText || ids.id < aggregate.firstText.id) aggregate.firstText = text;
      if (!aggregate.lastText || ids.id > aggregate.lastText.id) aggregate.lastText = text;
    }
    if (out.toolCall) {
      aggregate.toolCalls++;
      if (!this.aggregatesOnly) {
        if (out.audit && this.auditor) applyRisk(out.toolCall, out.audit, this.auditor(out.audit, ids.sessionId));
        this.toolCalls.push(out.toolCall);
      }
      this.toolsByName[out.toolCall.tool] = (this.toolsByName[out.toolCall.tool] ?? 0) + 1;
      this.toolsByStatus[out.toolCall.status] = (this.toolsByStatus[out.toolCall.status] ?? 0) + 1;
      const session = this.sessionAggregate(ids.sessionId);
      session.toolCalls++;
      if (out.toolCall.status === 'error') session.toolErrors++;
      if (out.toolCall.tool === 'task') session.delegations++;
    }
    for (const op of out.fileOperations) {
      if (!this.aggregatesOnly) this.fileOperations.push(op);
      const session = this.sessionAggregate(ids.sessionId);
      if (op.operation === 'read') session.fileReads++;
      else if (WRITE_OPERATIONS.has(op.operation)) session.fileWrites++;
    }
    if (this.aggregatesOnly) {
      if (out.delegation) this.delegations.push(out.delegation);
      return;
    }
    if (out.stepEvent) this.stepEvents.push(out.stepEvent);
    if (out.skill) this.skills.push(out.skill);
    if (out.delegation) this.delegations.push(out.delegation);
  }

  result(task: IngestTask['kind'], source: string): TaskResult {
    const ipc: Partial<Record<TableName, Uint8Array>> = {};
    const rows: Partial<Record<TableName, number>> = {};
    const emit = (spec: TableSpec & { name: TableName }, list: readonly object[]) => {
      if (list.length === 0) return;
      ipc[spec.name] = buildIpc(spec, list as never);
      rows[spec.name] = list.length;
    };
    emit(MESSAGES_TABLE, this.messages);
    emit(PARTS_TABLE, this.parts);
    emit(TOOL_CALLS_TABLE, this.toolCalls);
    emit(FILE_OPERATIONS_TABLE, this.fileOperations);
    emit(STEP_EVENTS_TABLE, this.stepEvents);
    emit(SKILLS_TABLE, this.skills);
    return {
      task,
      source,
      ipc,
      rows,
      delegations: this.delegations,
      messageAggregates: this.messageAggregates,
      sessionAggregates: this.sessionAggregates,
      partTypes: this.partTypes,
      toolsByName: this.toolsByName,
      toolsByStatus: this.toolsByStatus,
      issues: this.issues,
      records: this.records,
      duplicates: this.duplicates,
      maxTimeUpdated: this.maxTimeUpdated,
      maxTimeUpdatedByTable: { ...this.maxTimeUpdatedByTable },
    };
  }
}

/** Parses a stored JSON body; corrupt or non-object bodies are counted, not thrown. */
export function parseBody(collector: Collector, text: string, what: string): Json | undefined {
  if (text.length === 0) {
    collector.noteIssue('parse.invalid-json', `${what}: empty`);
    return undefined;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    collector.noteIssue('parse.invalid-json', `${what}: ${(error as Error).message}`);
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    collector.noteIssue('parse.invalid-json', `${what}: not a JSON object`);
    return undefined;
  }
  return value as Json;
}
